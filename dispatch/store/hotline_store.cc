#include "dispatch/store/hotline_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kNetwork =
    "SELECT n.id, n.name, n.default_language, n.voice_message FROM network_numbers nn"
    " JOIN networks n ON n.id = nn.network_id WHERE nn.number = $1";
constexpr const char* kMember =
    "SELECT id, language FROM members WHERE network_id = $1 AND phone_hash = decode($2, 'hex')"
    " AND status = 'active'";
// The member's open alerts (header), each with its message in the member's language when
// stored, else the network's default, else English; and the English one beside it.
constexpr const char* kAlerts =
    "SELECT a.id, a.code, a.kind, msg.language, msg.body_enc,"
    "  CASE WHEN msg.language <> 'en' THEN (SELECT e.body_enc FROM alert_messages e"
    "   WHERE e.alert_id = a.id AND e.seq = 0 AND e.language = 'en') END,"
    "  CASE WHEN a.tiered THEN a.location_enc END, CASE WHEN a.tiered THEN a.details_enc END, reached.yes"
    " FROM alerts a JOIN members m ON m.id = $2"
    " CROSS JOIN LATERAL (SELECT x.language, x.body_enc FROM alert_messages x"
    "   WHERE x.alert_id = a.id AND x.seq = 0 AND x.language IN (m.language, $3, 'en')"
    "   ORDER BY x.language = m.language DESC, x.language = $3 DESC LIMIT 1) msg"
    " CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id"
    "   AND d.member_id = m.id AND d.seq = 0)"
    "  OR EXISTS (SELECT 1 FROM tree_run_nodes t WHERE t.alert_id = a.id AND t.member_id = m.id) AS yes) reached"
    " WHERE a.network_id = $1 AND a.status = 'open' AND (a.areas && m.areas OR reached.yes)"
    " ORDER BY a.id DESC LIMIT $4";

constexpr const char* kCallIn =
    "WITH added AS (INSERT INTO deliveries (alert_id, seq, network_id, member_id, channel, language, segments,"
    "  state, attempts, sent_at, sender, hotline)"
    " SELECT a.id, 0, a.network_id, $2, 'voice', $3, 1, 'delivered', 1, now(), 'hotline', true FROM alerts a"
    " WHERE a.id = $1 AND a.status = 'open' AND NOT EXISTS (SELECT 1 FROM deliveries d"
    "  WHERE d.alert_id = $1 AND d.member_id = $2 AND d.seq = 0) RETURNING alert_id)"
    " UPDATE alerts SET recipients = recipients + 1 WHERE id IN (SELECT alert_id FROM added) RETURNING id";

}  // namespace

bool AddCallInDelivery(pqxx::work& tx, std::int64_t alert_id, std::int64_t member_id, const std::string& language) {
  return !tx.exec_params(kCallIn, alert_id, member_id, language).empty();
}

std::optional<HotlineCaller> LookupHotlineCaller(pqxx::transaction_base& tx, const DataCipher& cipher,
                                                 const std::string& from, const std::string& to) {
  auto networks = tx.exec_params(kNetwork, to);
  if (networks.empty()) return std::nullopt;
  HotlineCaller out;
  out.network_id = networks[0][0].as<std::int64_t>();
  out.network = networks[0][1].as<std::string>();
  out.default_language = networks[0][2].as<std::string>();
  out.voice_message = networks[0][3].as<std::string>();
  if (from.empty()) return out;
  auto members = tx.exec_params(kMember, out.network_id, ToHex(cipher.LookupHash(out.network_id, from)));
  if (members.empty()) return out;
  out.member_id = members[0][0].as<std::int64_t>();
  out.language = members[0][1].as<std::string>();
  for (const auto& r : tx.exec_params(kAlerts, out.network_id, *out.member_id, out.default_language, kMaxHotlineAlerts)) {
    out.alerts.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].as<std::string>(), FromBytea(r[4]).value_or(""), FromBytea(r[5]).value_or(""),
                          FromBytea(r[6]).value_or(""), FromBytea(r[7]).value_or(""), r[8].as<bool>()});
  }
  return out;
}

}  // namespace tocsin
