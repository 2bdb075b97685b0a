#include "dispatch/store/case_event_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

#define TOCSIN_EVENT_COLUMNS                                                                  \
  "e.id, e.case_id, e.type, e.detail_enc,"                                                    \
  " to_char(e.deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), e.actor,"       \
  " to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

constexpr const char* kCaseOf = "SELECT 1 FROM cases WHERE network_id = $1 AND id = $2";
constexpr const char* kInsert =
    "INSERT INTO case_events AS e (id, case_id, network_id, type, deadline, detail_enc, actor, inbound_key)"
    " OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5::timestamptz, decode($6, 'hex'), $7, decode($8, 'hex'))"
    " ON CONFLICT (network_id, inbound_key) WHERE inbound_key IS NOT NULL DO NOTHING RETURNING " TOCSIN_EVENT_COLUMNS;
constexpr const char* kTimeline =
    "SELECT * FROM (SELECT " TOCSIN_EVENT_COLUMNS " FROM case_events e WHERE e.network_id = $1 AND e.case_id = $2"
    " ORDER BY e.id DESC LIMIT 1000) t ORDER BY 1";

#undef TOCSIN_EVENT_COLUMNS

}  // namespace

CaseEvent CaseEventStore::Read(const pqxx::row& r, std::int64_t network_id) const {
  CaseEvent e;
  e.id = r[0].as<std::int64_t>();
  e.case_id = r[1].as<std::int64_t>();
  e.type = r[2].as<std::string>();
  if (auto sealed = FromBytea(r[3])) {
    e.detail = cipher_.Open(*sealed, places::CaseEventDetail(network_id, e.id)).value_or("");
  }
  if (!r[4].is_null()) e.deadline = r[4].as<std::string>();
  e.actor = r[5].as<std::string>();
  e.created_at = r[6].as<std::string>();
  return e;
}

Result<CaseEvent> CaseEventStore::Record(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id,
                                         const CaseEventInput& in, const std::string& actor) const {
  if (tx.exec_params(kCaseOf, network_id, case_id).empty()) return Error::NotFound("no such case");
  const auto id = ReserveId(tx, "case_events");  // the sealed text is bound to it
  std::optional<std::string> detail_hex;
  if (in.detail && !in.detail->empty()) {
    detail_hex = ToHex(cipher_.Seal(*in.detail, places::CaseEventDetail(network_id, id)));
  }
  std::optional<std::string> key;
  if (in.inbound_key) key = ToHex(*in.inbound_key);
  auto r = tx.exec_params(kInsert, id, case_id, network_id, in.type, in.deadline, detail_hex, actor, key);
  if (r.empty()) return Error::Conflict("webhook-id", "this webhook was received before");
  return Read(r[0], network_id);
}

Result<std::vector<CaseEvent>> CaseEventStore::Timeline(pqxx::transaction_base& tx, std::int64_t network_id,
                                                        std::int64_t case_id) const {
  if (tx.exec_params(kCaseOf, network_id, case_id).empty()) return Error::NotFound("no such case");
  std::vector<CaseEvent> out;
  for (const auto& r : tx.exec_params(kTimeline, network_id, case_id)) out.push_back(Read(r, network_id));
  return out;
}

}  // namespace tocsin
