#include "dispatch/store/sender_lookup.h"

#include <unordered_map>

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

// The networks behind the numbers a batch was sent to: the sender's hash is keyed per network,
// so it can be computed only once the network is known (the first of two statements a batch).
constexpr const char* kNetworksOfNumbers =
    "SELECT number, network_id FROM network_numbers WHERE number = ANY($1::text[])";

// One statement for a batch: for each (number, sender hash), the network behind the number,
// the member behind the sender, and the member's open alerts (ones they were sent, or whose
// phone tree they are in: a relay branch confirms without a message from us), newest first, as
// "id:code", a tiered alert's with ":location:details" (sealed, hex) after; and, only for a reply that names a code, whether an alert of the network with that
// code ended in the last week.
constexpr const char* kLookup =
    "SELECT q.i, n.id, n.name, n.default_language, n.help_text, m.id, m.language, m.status,"
    " (SELECT array_agg(a.id::text || ':' || a.code || CASE WHEN a.tiered THEN ':'"
    "   || encode(a.location_enc, 'hex') || ':' || coalesce(encode(a.details_enc, 'hex'), '') ELSE '' END"
    "   ORDER BY a.id DESC) FROM alerts a"
    "   WHERE a.network_id = n.id AND a.status = 'open' AND (EXISTS (SELECT 1 FROM deliveries d"
    "   WHERE d.alert_id = a.id AND d.member_id = m.id AND d.seq = 0) OR EXISTS (SELECT 1"
    "   FROM tree_run_nodes t WHERE t.member_id = m.id AND t.alert_id = a.id))),"
    " CASE WHEN q.code <> '' THEN EXISTS (SELECT 1 FROM alerts e WHERE e.network_id = n.id"
    "   AND e.code = q.code AND e.status <> 'open' AND e.ended_at > now() - interval '7 days') END"
    " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(number, hash, code, i)"
    " JOIN network_numbers nn ON nn.number = q.number JOIN networks n ON n.id = nn.network_id"
    " LEFT JOIN members m ON m.network_id = n.id AND m.phone_hash = decode(q.hash, 'hex')";
constexpr const char* kOptOut =
    "UPDATE members SET status = 'opted_out', updated_at = now() WHERE id = $1";
constexpr const char* kOptIn =
    "UPDATE members SET status = 'active', consent_at = now(), updated_at = now()"
    " WHERE id = $1 AND status <> 'active'";

constexpr const char* kFirstSeen =
    "INSERT INTO inbound_messages (provider_id) SELECT unnest($1::text[])"
    " ON CONFLICT (provider_id) DO NOTHING RETURNING provider_id";

}  // namespace

std::unordered_set<std::string> FirstSeen(pqxx::transaction_base& tx, const std::vector<std::string>& provider_ids) {
  std::unordered_set<std::string> out;
  if (provider_ids.empty()) return out;
  for (const auto& r : tx.exec_params(kFirstSeen, ToPgArray(provider_ids))) out.insert(r[0].as<std::string>());
  return out;
}

std::vector<std::optional<SenderLookup>> LookupSenders(
    pqxx::transaction_base& tx, const std::vector<InboundSms>& batch, const std::vector<std::string>& named_codes,
    const DataCipher& cipher) {
  std::vector<std::string> numbers, hashes;
  for (const auto& sms : batch) numbers.push_back(sms.to);
  std::unordered_map<std::string, std::int64_t> network_of;
  for (const auto& r : ExecPrepared(tx, "networks_of_numbers", kNetworksOfNumbers, ToPgArray(numbers))) {
    network_of.emplace(r[0].as<std::string>(), r[1].as<std::int64_t>());
  }
  for (const auto& sms : batch) {
    auto network = network_of.find(sms.to);
    // A number that is no network's: no row comes back for it, whatever the hash.
    hashes.push_back(network == network_of.end() ? "" : ToHex(cipher.LookupHash(network->second, sms.from)));
  }
  std::vector<std::optional<SenderLookup>> out(batch.size());
  for (const auto& r : ExecPrepared(tx, "lookup_senders", kLookup, ToPgArray(numbers), ToPgArray(hashes),
                                          ToPgArray(named_codes))) {
    SenderLookup who;
    who.network_id = r[1].as<std::int64_t>();
    who.network = r[2].as<std::string>();
    who.default_language = r[3].as<std::string>();
    who.help_text = r[4].as<std::string>();
    if (!r[5].is_null()) {
      who.member_id = r[5].as<std::int64_t>();
      who.language = r[6].as<std::string>();
      who.status = r[7].as<std::string>();
    }
    for (const auto& item : FromPgArray(r[8])) {
      auto colon = item.find(':');
      auto id = std::stoll(item.substr(0, colon));
      auto rest = item.substr(colon + 1);
      auto place = rest.find(':');
      who.open_alerts.emplace_back(id, rest.substr(0, place));
      if (place == std::string::npos) continue;
      auto split = rest.find(':', place + 1);
      SenderLookup::TieredPlace tiered{id, FromHex(rest.substr(place + 1, split - place - 1)).value_or(""),
                                       FromHex(rest.substr(split + 1)).value_or("")};
      who.tiered_places.push_back(std::move(tiered));
    }
    who.named_alert_ended = !r[9].is_null() && r[9].as<bool>();
    out[r[0].as<std::size_t>() - 1] = std::move(who);
  }
  return out;
}

void ApplyStatus(pqxx::transaction_base& tx, const ReplyDecision& d) {
  if (d.member_id == 0) return;  // a number that is no member's: only the stop list changes
  if (d.set_status == "opted_out") tx.exec_params(kOptOut, d.member_id);
  if (d.set_status == "active") tx.exec_params(kOptIn, d.member_id);
}

}  // namespace tocsin
