// keygen, migrate, serve: the commands that set a server up and run it.
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "dispatch/engine/retention.h"
#include "dispatch/store/key_check.h"
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

// The new key from --new-key-file (its first line) or TOCSIN_NEW_DATA_KEY; never echoed.
Result<DataCipher> NewKey(const Args& a) {
  std::string hex;
  if (auto file = a.Get("new-key-file")) {
    std::ifstream in(*file);
    if (!in) return Error::Invalid("new_key_file", "cannot read " + *file);
    std::getline(in, hex);
  } else if (const char* env = std::getenv("TOCSIN_NEW_DATA_KEY")) {
    hex = env;
  } else {
    return Error::Invalid("new_key_file", "give the new key: --new-key-file FILE (from `tocsind keygen`) or TOCSIN_NEW_DATA_KEY");
  }
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  auto cipher = DataCipher::FromHex(hex);
  if (!cipher.ok()) return Error::Invalid("new_key_file", "the new key must be 64 hex characters (`tocsind keygen`)");
  return cipher;
}

Result<int> RunRekey(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto to = NewKey(a);
  if (!to.ok()) return to.error();
  auto rekey = [&](pqxx::connection& c) { return Rekey(c, *ctx.cipher, to.value()); };
  auto stats = ctx.db->RunSync(rekey);
  if (!stats.ok()) return stats.error();
  std::cerr << "rekeyed: " << stats->rewritten << " sealed values moved to the new key";
  if (stats->unreadable > 0) std::cerr << " (" << stats->unreadable << " unreadable under either key, left as they were)";
  std::cerr << ".\nNow set security.data_key (TOCSIN_DATA_KEY) to the new key, then start the server;"
               " the old key opens nothing here any more.\n";
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
      {"rekey", "", "[--new-key-file FILE]",
       "Moves every sealed value, phone hash and token hash to a new data key (from `tocsind\n"
       "keygen`), given in FILE or TOCSIN_NEW_DATA_KEY; the current key is the configured one.\n"
       "Stop the server first. Batches commit one by one: if interrupted, run it again with the\n"
       "same two keys (nothing starts meanwhile). Then set TOCSIN_DATA_KEY to the new key.\n",
       {"new-key-file"}, {}, Needs::kDatabase, RunRekey},
      {"serve", "", "",
       "Runs the server on server.listen until SIGINT or SIGTERM (refuses an unmigrated "
       "database).\n",
       {}, {}, Needs::kConfig, RunServer},
  };
}

}  // namespace tocsin::cli
