#include "dispatch/store/token_registry.h"

#include "dispatch/model/validation.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

constexpr const char* kInsertToken =
    "INSERT INTO api_tokens (network_id, role, label, token_hash, inner_enc, id, organisation_id)"
    " OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr const char* kOrganisationId = "SELECT id FROM organisations WHERE network_id = $1 AND slug = $2";
constexpr const char* kRevokeToken =
    "UPDATE api_tokens SET revoked_at = now()"
    " WHERE network_id = $1 AND id = $2 AND revoked_at IS NULL";
// An unrevoked token; the last but one column says whether last_used_at is due to move (unset or
// a minute old).
#define TOCSIN_FIND_TOKEN                                                                       \
  "SELECT t.id, t.network_id, n.slug, t.role, t.token_hash,"                                    \
  " t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute', t.organisation_id" \
  " FROM api_tokens t JOIN networks n ON n.id = t.network_id WHERE t.revoked_at IS NULL"
constexpr const char* kFindToken = TOCSIN_FIND_TOKEN " AND t.token_hash = $1";
constexpr const char* kFindTokenById = TOCSIN_FIND_TOKEN " AND t.id = $1";
#undef TOCSIN_FIND_TOKEN
constexpr const char* kTouchToken = "UPDATE api_tokens SET last_used_at = now() WHERE id = $1";
constexpr const char* kListTokens =
    "SELECT t.id, t.role, t.label,"
    " to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(t.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(t.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), o.slug"
    " FROM api_tokens t LEFT JOIN organisations o ON o.id = t.organisation_id"
    " WHERE t.network_id = $1 ORDER BY t.id";

// A row of kFindToken: records the use when due.
TokenInfo UseToken(pqxx::work& tx, const pqxx::row& r) {
  if (r[5].as<bool>()) tx.exec_params(kTouchToken, r[0].as<std::int64_t>());
  TokenInfo info{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(),
                 r[3].as<std::string>(), std::nullopt};
  if (!r[6].is_null()) info.organisation_id = r[6].as<std::int64_t>();
  return info;
}

std::optional<std::string> OptionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace

Result<NewTokenResult> CreateToken(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                                   const std::string& role, const std::string& label,
                                   const std::optional<std::string>& organisation) {
  if (auto s = CheckTokenRole(role); !s.ok()) return s.error();
  if (!label.empty()) {
    if (auto s = CheckText(label, "label"); !s.ok()) return s.error();
  }
  std::optional<std::int64_t> organisation_id;
  if (organisation) {
    if (role != "integration") {
      return Error::Invalid("organisation", "only an integration token answers for an organisation");
    }
    auto rows = tx.exec_params(kOrganisationId, network_id, *organisation);
    if (rows.empty()) return Error::Invalid("organisation", "no such organisation in this network");
    organisation_id = rows[0][0].as<std::int64_t>();
  }
  NewTokenResult out;
  out.token = NewToken("tcs_");
  out.id = ReserveId(tx, "api_tokens");
  // The unkeyed hash, sealed: what lets a rekey compute token_hash under a new key.
  auto inner = cipher.Seal(HashToken(out.token), places::TokenInner(network_id, out.id));
  tx.exec_params(kInsertToken, network_id, role, label, Bytea(cipher.KeyTokenHash(HashToken(out.token))),
                 Bytea(inner), out.id, organisation_id);
  return out;
}

Status RevokeToken(pqxx::work& tx, std::int64_t network_id, std::int64_t id) {
  if (tx.exec_params(kRevokeToken, network_id, id).affected_rows() == 0) {
    return Error::NotFound("no such token");
  }
  return Ok{};
}

bool TokenActive(pqxx::transaction_base& tx, std::int64_t id) {
  return !tx.exec_params("SELECT 1 FROM api_tokens WHERE id = $1 AND revoked_at IS NULL", id).empty();
}

std::optional<TokenInfo> AuthenticateToken(pqxx::work& tx, const DataCipher& cipher, const std::string& token) {
  auto hash = cipher.TokenHash(token);
  auto rows = tx.exec_params(kFindToken, Bytea(hash));
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  // The index found it by equality already; the constant-time check keeps the final decision
  // independent of where the bytes differ.
  if (!ConstantTimeEqual(FromBytea(r[4]).value_or(""), hash)) return std::nullopt;
  return UseToken(tx, r);
}

std::optional<TokenInfo> UseTokenById(pqxx::work& tx, std::int64_t id) {
  auto rows = tx.exec_params(kFindTokenById, id);
  if (rows.empty()) return std::nullopt;
  return UseToken(tx, rows[0]);
}

std::vector<TokenRecord> ListTokens(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<TokenRecord> out;
  for (const auto& r : tx.exec_params(kListTokens, network_id)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   r[3].as<std::string>(), OptionalText(r[4]), OptionalText(r[5]), OptionalText(r[6])});
  }
  return out;
}

}  // namespace tocsin
