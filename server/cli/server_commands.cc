// keygen, migrate, serve: the commands that set a server up and run it.
#include <iostream>

#include "dispatch/engine/retention.h"
#include "dispatch/store/migrator.h"
#include "dispatch/util/clock.h"
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
  auto apply = [&ctx](pqxx::connection& c) { return ApplyMigrations(c, ctx.cipher); };
  std::vector<int> done;
  try {
    done = ctx.db->RunSync(apply);
  } catch (const pqxx::failure&) {
    throw;
  } catch (const std::runtime_error& e) {
    return Error::Invalid("security.data_key", e.what());
  }
  if (done.empty()) {
    std::cerr << "database schema is up to date\n";
  } else {
    for (int v : done) std::cerr << "applied migration " << v << "\n";
  }
  return 0;
}

Result<int> Purge(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  AlertStore alerts(*ctx.cipher);
  auto purge = [&](pqxx::connection& c) {
    return PurgeExpired(c, alerts, WallClockMs(), ctx.config->audit_retention_days);
  };
  auto r = ctx.db->RunSync(purge);
  std::cerr << "purged " << r.alerts << " alerts past their network's retention (" << r.rows << " rows), "
            << r.tombstones << " deleted members, " << r.audit << " audit rows\n";
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
      {"purge", "", "",
       "Purges now what the server purges hourly: alerts ended more than their network's\n"
       "retention_days ago keep only their kind, areas, code, times and counts; deleted members'\n"
       "last traces and audit rows older than retention.audit_days go.\n",
       {}, {}, Needs::kDataKey, Purge},
      {"serve", "", "",
       "Runs the server on server.listen until SIGINT or SIGTERM (refuses an unmigrated "
       "database).\n",
       {}, {}, Needs::kConfig, RunServer},
  };
}

}  // namespace tocsin::cli
