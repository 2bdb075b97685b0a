#include "dispatch/store/migrator.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "dispatch/store/key_check.h"
#include "dispatch/store/keyed_upgrades.h"

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

std::vector<int> ApplyMigrations(pqxx::connection& conn, const DataCipher* cipher) {
  std::vector<int> done;
  bool key_checked = false;
  const auto pending = PendingMigrations(conn);
  for (const auto& m : BuiltinMigrations()) {
    auto upgrade = FindKeyedUpgrade(m.name);
    if (upgrade && !key_checked && std::count(pending.begin(), pending.end(), m.version)) {
      // Rewriting rows under another key would make them unreadable: check it first.
      if (!cipher) throw std::runtime_error("this migration needs the data key (security.data_key)");
      if (auto s = CheckDataKey(conn, *cipher); !s.ok()) throw std::runtime_error(s.error().message);
      key_checked = true;
    }
    pqxx::work tx(conn);
    // Serialise concurrent migrators; the lock ends with the transaction.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    tx.exec(kCreateTable);
    if (AppliedVersions(tx).count(m.version)) continue;
    tx.exec(std::string(m.sql));
    if (upgrade) upgrade(tx, *cipher);
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                   m.name);
    tx.commit();
    done.push_back(m.version);
  }
  return done;
}

}  // namespace tocsin
