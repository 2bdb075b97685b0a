#include "dispatch/store/session_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kPurgeExpired = "DELETE FROM console_sessions WHERE expires_at < now()";
constexpr const char* kInsert =
    "INSERT INTO console_sessions (session_hash, token_id, expires_at)"
    " VALUES ($1, $2, now() + make_interval(secs => $3))"
    " RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
constexpr const char* kFind =
    "SELECT token_id, session_hash, id,"
    " to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM console_sessions WHERE session_hash = $1 AND expires_at > now()";
constexpr const char* kDelete = "DELETE FROM console_sessions WHERE session_hash = $1";

}  // namespace

NewSession CreateSession(pqxx::work& tx, const DataCipher& cipher, const TokenInfo& token,
                         int ttl_seconds) {
  tx.exec(kPurgeExpired);
  NewSession out;
  out.id = NewToken("tcss_");
  out.expires_at =
      tx.exec_params1(kInsert, Bytea(cipher.TokenHash(out.id)), token.id, ttl_seconds)[0]
          .as<std::string>();
  return out;
}

std::optional<SessionInfo> AuthenticateSession(pqxx::work& tx, const DataCipher& cipher, const std::string& id) {
  auto hash = cipher.TokenHash(id);
  auto rows = tx.exec_params(kFind, Bytea(hash));
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  // As for tokens: found by equality, decided in constant time.
  if (!ConstantTimeEqual(FromBytea(r[1]).value_or(""), hash)) return std::nullopt;
  auto token = UseTokenById(tx, r[0].as<std::int64_t>());  // revoked: the session opens nothing
  if (!token) return std::nullopt;
  return SessionInfo{std::move(*token), r[3].as<std::string>(), r[2].as<std::int64_t>()};
}

bool SessionOpen(pqxx::work& tx, const DataCipher& cipher, const std::string& id) {
  return AuthenticateSession(tx, cipher, id).has_value();
}

bool EndSession(pqxx::work& tx, const DataCipher& cipher, const std::string& id) {
  return tx.exec_params(kDelete, Bytea(cipher.TokenHash(id))).affected_rows() > 0;
}

}  // namespace tocsin
