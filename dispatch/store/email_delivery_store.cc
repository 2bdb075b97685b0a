#include "dispatch/store/email_delivery_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kQueue =
    "INSERT INTO deliveries (alert_id, network_id, channel, language, segments, email_id, event_type,"
    "  message_id, body_enc, next_attempt_at)"
    " SELECT $1, m.network_id, 'email', $3, 1, m.id, $4, $5, $6, to_timestamp($7::float8 / 1000)"
    " FROM organisation_emails m WHERE m.organisation_id = $2 AND m.network_id = $8 ORDER BY m.id";
constexpr const char* kWithEmail =
    "SELECT DISTINCT organisation_id FROM organisation_emails WHERE organisation_id = ANY($1::bigint[])"
    " ORDER BY organisation_id";
constexpr const char* kCanAnswer =
    "SELECT 1 FROM api_tokens WHERE organisation_id = $1 AND revoked_at IS NULL LIMIT 1";
constexpr const char* kClaim =
    "WITH picked AS (SELECT d.id FROM deliveries d WHERE d.state = 'queued' AND d.email_id IS NOT NULL"
    "  AND d.next_attempt_at <= to_timestamp($1::float8 / 1000) ORDER BY d.next_attempt_at, d.id"
    "  LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, updated_at = now()"
    " FROM picked p, organisation_emails m WHERE d.id = p.id AND m.id = d.email_id"
    " RETURNING d.id, d.network_id, d.email_id, d.attempts, d.message_id, d.body_enc, m.address_enc";

// The first of an email's deliveries (its message_id: one per alert and organisation) to fail
// is the one coordinators hear about.
constexpr const char* kFailureNotice =
    "SELECT d.network_id, d.alert_id, o.name FROM deliveries d"
    " JOIN organisation_emails e ON e.id = d.email_id JOIN organisations o ON o.id = e.organisation_id"
    " WHERE d.id = $1 AND d.channel = 'email' AND d.state = 'failed' AND NOT EXISTS (SELECT 1 FROM deliveries x"
    "  WHERE x.message_id = d.message_id AND x.channel = 'email' AND x.state = 'failed' AND x.id < d.id)";

}  // namespace

std::optional<EndpointFailureNotice> EmailFailureNotice(pqxx::transaction_base& tx, std::int64_t delivery_id) {
  auto rows = tx.exec_params(kFailureNotice, delivery_id);
  if (rows.empty()) return std::nullopt;
  return EndpointFailureNotice{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(),
                               rows[0][2].as<std::string>()};
}

std::int64_t QueueEmailEvent(pqxx::work& tx, const EmailEvent& e) {
  return static_cast<std::int64_t>(tx.exec_params(kQueue, e.alert_id, e.organisation_id, e.language, e.type,
                                                  e.message_id, Bytea(e.body_sealed),
                                                  static_cast<double>(e.now_ms), e.network_id)
                                       .affected_rows());
}

std::vector<std::int64_t> OrganisationsWithEmail(pqxx::transaction_base& tx,
                                                 const std::vector<std::int64_t>& organisations) {
  std::vector<std::int64_t> out;
  if (organisations.empty()) return out;
  for (const auto& r : tx.exec_params(kWithEmail, ToPgArray(organisations))) out.push_back(r[0].as<std::int64_t>());
  return out;
}

bool OrganisationCanAnswer(pqxx::transaction_base& tx, std::int64_t organisation_id) {
  return !tx.exec_params(kCanAnswer, organisation_id).empty();
}

std::vector<ClaimedEmail> ClaimEmailDeliveries(pqxx::work& tx, std::int64_t now_ms, long long limit) {
  std::vector<ClaimedEmail> out;
  for (const auto& r : tx.exec_params(kClaim, static_cast<double>(now_ms), limit)) {
    ClaimedEmail c;
    c.id = r[0].as<std::int64_t>();
    c.network_id = r[1].as<std::int64_t>();
    c.email_id = r[2].as<std::int64_t>();
    c.attempts = r[3].as<int>();
    c.message_id = r[4].as<std::string>();
    c.body_enc = FromBytea(r[5]).value_or("");
    c.address_enc = FromBytea(r[6]).value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

std::string JoinEmailText(const std::string& subject, const std::string& body) { return subject + "\n" + body; }

std::pair<std::string, std::string> SplitEmailText(const std::string& text) {
  auto nl = text.find('\n');
  if (nl == std::string::npos) return {text, ""};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace tocsin
