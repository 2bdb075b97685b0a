// One operator command (`tocsind <group> <name> [options]`): its usage, the options it accepts,
// what it needs before it runs, and the function that runs it. Each *_commands.cc file lists the
// commands of one group; commands.cc finds the command, prints its --help without needing
// anything, loads what the command needs, runs it and turns its outcome into an exit code.
//
// Contract of `run`:
//   1. It returns the exit code on success (0, or 3 for an import with rejected rows), or an
//      Error: kInvalid exits 2 (its `field` is shown as the option it came from), anything
//      else exits 1. It may also throw UsageError (exit 2).
//   2. A failed command changes nothing, except where the command says otherwise.
//   3. Results go to stdout; progress and errors to stderr, never a phone number or a name
//      (a members export writes them only to its output).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dispatch/store/db_pool.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"
#include "server/cli/args.h"
#include "server/config.h"

namespace tocsin::cli {

enum class Needs {
  kNothing,   // keygen
  kConfig,    // serve: the config only (it opens its own pools)
  kDatabase,  // migrate: the config and a database connection
  kDataKey,   // the rest: and a database sealed under the configured data key (key_check.h)
};

// What a command gets, as far as its Needs go (pointers are null beyond them).
struct Context {
  const Config* config = nullptr;
  DbPool* db = nullptr;
  const DataCipher* cipher = nullptr;
};

struct Command {
  std::string group;     // "alert"
  std::string name;      // "raise"; empty for a one-word command ("keygen")
  std::string synopsis;  // the options, as in "tocsind <group> <name> <synopsis>"
  std::string help;      // what it does and what each option means (for --help)
  std::vector<std::string> options;  // options that take a value (without "--")
  std::vector<std::string> flags;    // options that do not
  Needs needs = Needs::kDataKey;
  std::function<Result<int>(const Context&, const Args&)> run;
};

// The commands of each group, in the order `tocsind --help` lists them.
std::vector<Command> ServerCommands();   // keygen, migrate, purge, rekey, serve
std::vector<Command> NetworkCommands();  // network create, network set
std::vector<Command> TokenCommands();    // token create, list, revoke
std::vector<Command> MemberCommands();   // members import, export
std::vector<Command> AuditCommands();    // audit show
std::vector<Command> AlertCommands();    // alert raise, list, show, resolve, cancel

// Shared by the commands that work on one network: the network `slug`, or NotFound.
Result<Network> LoadNetwork(DbPool& db, const std::string& slug);

}  // namespace tocsin::cli
