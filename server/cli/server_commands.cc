// keygen, migrate, serve: the commands that set a server up and run it.
#include <iostream>

#include "dispatch/store/migrator.h"
#include "server/app.h"
#include "server/cli/command.h"

namespace tocsin::cli {
namespace {

Result<int> Keygen(const Context&, const Args& a) {
  a.Positional(0, "");
  std::cout << GenerateDataKeyHex() << "\n";
  return 0;
}

Result<int> Migrate(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto apply = [](pqxx::connection& c) { return ApplyMigrations(c); };
  auto done = ctx.db->RunSync(apply);
  if (done.empty()) {
    std::cerr << "database schema is up to date\n";
  } else {
    for (int v : done) std::cerr << "applied migration " << v << "\n";
  }
  return 0;
}

Result<int> RunServer(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  return Serve(*ctx.config);
}

}  // namespace

std::vector<Command> ServerCommands() {
  return {
      {"keygen", "", "", "Prints a fresh data key (64 hex characters) for TOCSIN_DATA_KEY.\n", {}, {},
       Needs::kNothing, Keygen},
      {"migrate", "", "",
       "Applies the database migrations this binary ships that the database lacks (safe to "
       "repeat).\n",
       {}, {}, Needs::kDatabase, Migrate},
      {"serve", "", "",
       "Runs the server on server.listen until SIGINT or SIGTERM (refuses an unmigrated "
       "database).\n",
       {}, {}, Needs::kConfig, RunServer},
  };
}

}  // namespace tocsin::cli
