#include "dispatch/store/migrator.h"

#include <set>

namespace tocsin {
namespace {

constexpr long long kMigrationLockKey = 0x746f6373696e;  // "tocsin"

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

std::set<int> AppliedVersions(pqxx::transaction_base& tx) {
  std::set<int> versions;
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
  if (!exists) return versions;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
    versions.insert(row[0].as<int>());
  }
  return versions;
}

}  // namespace

std::vector<int> PendingMigrations(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  auto applied = AppliedVersions(tx);
  std::vector<int> pending;
  for (const auto& m : BuiltinMigrations()) {
    if (!applied.count(m.version)) pending.push_back(m.version);
  }
  return pending;
}

std::vector<int> ApplyMigrations(pqxx::connection& conn) {
  std::vector<int> done;
  for (const auto& m : BuiltinMigrations()) {
    pqxx::work tx(conn);
    // Serialise concurrent migrators; the lock ends with the transaction.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    tx.exec(kCreateTable);
    if (AppliedVersions(tx).count(m.version)) continue;
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                   m.name);
    tx.commit();
    done.push_back(m.version);
  }
  return done;
}

}  // namespace tocsin
