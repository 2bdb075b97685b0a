// The tocsind command line: `tocsind [--config FILE] <command> [options]`.
//
//   keygen                                   print a fresh security.data_key (no config needed)
//   migrate                                  apply missing schema migrations
//   serve                                    run the server
//   network create|set                       a network and its settings
//   token create|list|revoke                 a network's API tokens
//   members import|export                    the member list as CSV (one format both ways)
//   audit show                               the audit log
//   alert raise|list|show|resolve|cancel     alerts, through the running server's API
//
// Each command is declared in one server/cli/*_commands.cc (see command.h for the contract);
// `tocsind <command> --help` prints its usage and needs no config. Without --config,
// .data/tocsin.toml is used when it exists, and secrets missing from the environment come from
// .data/secrets.env (operator_env.h).
//
// Exit codes: 0 success, 1 failure (one line on stderr says why), 2 usage error or a bad value
// (the message names the option; nothing changed), 3 import finished with rejected rows.
#pragma once

namespace tocsin {

int RunCli(int argc, char** argv);

}  // namespace tocsin
