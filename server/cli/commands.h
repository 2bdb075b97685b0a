// The tocsind command line: `tocsind [--config FILE] <command> [options]`.
//
//   keygen                                   print a fresh security.data_key (no config needed)
//   migrate                                  apply missing schema migrations
//   serve                                    run the server
//   network create --name N --slug S --number +44... [--number ...] [--country GB]
//                  [--language en] [--retention-days 30] [--if-not-exists]
//   token create --network S --role R [--label L]     prints only the token
//   members import --network S FILE.csv
//
// Exit codes: 0 success, 1 failure (one line on stderr says why), 2 usage error,
// 3 import finished with rejected rows.
#pragma once

namespace tocsin {

int RunCli(int argc, char** argv);

}  // namespace tocsin
