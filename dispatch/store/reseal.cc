#include "dispatch/store/reseal.h"

#include <vector>

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

// One sealed column. `select` takes $1 (a ctid: rows after it) and $2 (a limit) and returns
// ctid, the sealed value, the network id, then what `place` reads; rows in ctid order, locked.
// `update` takes the ctids, the new values and the derived hashes (hex text arrays).
struct SealedColumn {
  const char* table;  // skipped while it does not exist (an older schema being migrated)
  const char* select;
  const char* update;
  SealPlace (*place)(const pqxx::row& r);
  // A keyed hash kept beside the value, computed from the plaintext under the new key.
  std::string (*derived)(const DataCipher& to, const pqxx::row& r, const std::string& plaintext) = nullptr;
};

std::int64_t Int(const pqxx::row& r, int i) { return r[i].as<std::int64_t>(); }

#define TOCSIN_AFTER(t) " WHERE " t ".ctid > $1::tid"
#define TOCSIN_ORDER(t) " ORDER BY " t ".ctid LIMIT $2 FOR UPDATE OF " t
#define TOCSIN_SET(table, column)                                                      \
  "UPDATE " table " t SET " column " = decode(u.v, 'hex') FROM unnest($1::tid[], $2::text[], $3::text[])" \
  " AS u(loc, v, d) WHERE t.ctid = ANY($1::tid[]) AND t.ctid = u.loc"
// As TOCSIN_SET, also writing the derived keyed hash into `hash`.
#define TOCSIN_SET_HASHED(table, column, hash)                                                   \
  "UPDATE " table " t SET " column " = decode(u.v, 'hex'), " hash " = decode(u.d, 'hex')"         \
  " FROM unnest($1::tid[], $2::text[], $3::text[]) AS u(loc, v, d)"                              \
  " WHERE t.ctid = ANY($1::tid[]) AND t.ctid = u.loc"

// A phone's lookup hash under the new key, for the network in column 2.
std::string PhoneHash(const DataCipher& to, const pqxx::row& r, const std::string& phone) {
  return to.LookupHash(Int(r, 2), phone);
}

const SealedColumn kColumns[] = {
    {"members", "SELECT t.ctid::text, t.phone_enc, t.network_id, t.id FROM members t" TOCSIN_AFTER("t")
     " AND t.status <> 'deleted'" TOCSIN_ORDER("t"),
     TOCSIN_SET_HASHED("members", "phone_enc", "phone_hash"),
     [](const pqxx::row& r) { return places::MemberPhone(Int(r, 2), Int(r, 3)); }, &PhoneHash},
    {"members", "SELECT t.ctid::text, t.name_enc, t.network_id, t.id FROM members t" TOCSIN_AFTER("t")
     " AND t.name_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("members", "name_enc"),
     [](const pqxx::row& r) { return places::MemberName(Int(r, 2), Int(r, 3)); }},
    {"alerts", "SELECT t.ctid::text, t.location_enc, t.network_id, t.id FROM alerts t" TOCSIN_AFTER("t")
     " AND length(t.location_enc) > 0" TOCSIN_ORDER("t"),
     TOCSIN_SET("alerts", "location_enc"),
     [](const pqxx::row& r) { return places::AlertLocation(Int(r, 2), Int(r, 3)); }},
    {"alerts", "SELECT t.ctid::text, t.details_enc, t.network_id, t.id FROM alerts t" TOCSIN_AFTER("t")
     " AND t.details_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("alerts", "details_enc"),
     [](const pqxx::row& r) { return places::AlertDetails(Int(r, 2), Int(r, 3)); }},
    {"alert_messages", "SELECT t.ctid::text, t.body_enc, a.network_id, t.alert_id, t.seq, t.language FROM alert_messages t"
     " JOIN alerts a ON a.id = t.alert_id" TOCSIN_AFTER("t") TOCSIN_ORDER("t"),
     TOCSIN_SET("alert_messages", "body_enc"),
     [](const pqxx::row& r) {
       return places::MessageBody(Int(r, 2), Int(r, 3), r[4].as<int>(), r[5].as<std::string>());
     }},
    {"deliveries", "SELECT t.ctid::text, t.body_enc, t.network_id, t.id FROM deliveries t" TOCSIN_AFTER("t")
     " AND t.body_enc IS NOT NULL AND t.endpoint_id IS NULL AND t.channel <> 'email'" TOCSIN_ORDER("t"),
     TOCSIN_SET("deliveries", "body_enc"),
     [](const pqxx::row& r) { return places::DeliveryBody(Int(r, 2), Int(r, 3)); }},
    {"deliveries", "SELECT t.ctid::text, t.body_enc, t.network_id, t.message_id FROM deliveries t" TOCSIN_AFTER("t")
     " AND t.body_enc IS NOT NULL AND t.endpoint_id IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("deliveries", "body_enc"),
     [](const pqxx::row& r) { return places::WebhookBody(Int(r, 2), r[3].as<std::string>()); }},
    {"deliveries", "SELECT t.ctid::text, t.body_enc, t.network_id, t.message_id FROM deliveries t" TOCSIN_AFTER("t")
     " AND t.body_enc IS NOT NULL AND t.channel = 'email'" TOCSIN_ORDER("t"),
     TOCSIN_SET("deliveries", "body_enc"),
     [](const pqxx::row& r) { return places::EmailBody(Int(r, 2), r[3].as<std::string>()); }},
    {"organisation_emails", "SELECT t.ctid::text, t.address_enc, t.network_id, t.id FROM organisation_emails t"
     TOCSIN_AFTER("t") TOCSIN_ORDER("t"),
     TOCSIN_SET("organisation_emails", "address_enc"),
     [](const pqxx::row& r) { return places::EmailAddress(Int(r, 2), Int(r, 3)); }},
    {"responses", "SELECT t.ctid::text, t.text_enc, t.network_id, t.alert_id, t.member_id FROM responses t"
     TOCSIN_AFTER("t") " AND t.text_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("responses", "text_enc"),
     [](const pqxx::row& r) { return places::ResponseText(Int(r, 2), Int(r, 3), Int(r, 4)); }},
    {"organisation_responses", "SELECT t.ctid::text, t.note_enc, t.network_id, t.alert_id, t.organisation_id FROM organisation_responses t"
     TOCSIN_AFTER("t") " AND t.note_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("organisation_responses", "note_enc"),
     [](const pqxx::row& r) { return places::OrganisationNote(Int(r, 2), Int(r, 3), Int(r, 4)); }},
    {"webhook_endpoints", "SELECT t.ctid::text, t.url_enc, t.network_id, t.id FROM webhook_endpoints t" TOCSIN_AFTER("t")
     TOCSIN_ORDER("t"),
     TOCSIN_SET("webhook_endpoints", "url_enc"),
     [](const pqxx::row& r) { return places::EndpointUrl(Int(r, 2), Int(r, 3)); }},
    {"webhook_endpoints", "SELECT t.ctid::text, t.secret_enc, t.network_id, t.id FROM webhook_endpoints t" TOCSIN_AFTER("t")
     TOCSIN_ORDER("t"),
     TOCSIN_SET("webhook_endpoints", "secret_enc"),
     [](const pqxx::row& r) { return places::EndpointSecret(Int(r, 2), Int(r, 3)); }},
    {"webhook_endpoints", "SELECT t.ctid::text, t.previous_secret_enc, t.network_id, t.id FROM webhook_endpoints t"
     TOCSIN_AFTER("t") " AND t.previous_secret_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("webhook_endpoints", "previous_secret_enc"),
     [](const pqxx::row& r) { return places::EndpointSecret(Int(r, 2), Int(r, 3)); }},
    {"inbound_sources", "SELECT t.ctid::text, t.secret_enc, t.network_id, t.name FROM inbound_sources t" TOCSIN_AFTER("t")
     TOCSIN_ORDER("t"),
     TOCSIN_SET("inbound_sources", "secret_enc"),
     [](const pqxx::row& r) { return places::InboundSecret(Int(r, 2), r[3].as<std::string>()); }},
    {"stopped_numbers", "SELECT t.ctid::text, t.phone_enc, t.network_id, t.id FROM stopped_numbers t"
     TOCSIN_AFTER("t") TOCSIN_ORDER("t"),
     TOCSIN_SET_HASHED("stopped_numbers", "phone_enc", "phone_hash"),
     [](const pqxx::row& r) { return places::StoppedPhone(Int(r, 2), Int(r, 3)); }, &PhoneHash},
    // Cases (issue 13): the person's name, phone (with its lookup hash), reference, notes, and
    // their events' texts.
    {"cases", "SELECT t.ctid::text, t.name_enc, t.network_id, t.id FROM cases t" TOCSIN_AFTER("t") TOCSIN_ORDER("t"),
     TOCSIN_SET("cases", "name_enc"),
     [](const pqxx::row& r) { return places::CaseName(Int(r, 2), Int(r, 3)); }},
    {"cases", "SELECT t.ctid::text, t.phone_enc, t.network_id, t.id FROM cases t" TOCSIN_AFTER("t")
     " AND t.phone_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET_HASHED("cases", "phone_enc", "phone_hash"),
     [](const pqxx::row& r) { return places::CasePhone(Int(r, 2), Int(r, 3)); }, &PhoneHash},
    {"cases", "SELECT t.ctid::text, t.reference_enc, t.network_id, t.id FROM cases t" TOCSIN_AFTER("t")
     " AND t.reference_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("cases", "reference_enc"),
     [](const pqxx::row& r) { return places::CaseReference(Int(r, 2), Int(r, 3)); }},
    {"cases", "SELECT t.ctid::text, t.notes_enc, t.network_id, t.id FROM cases t" TOCSIN_AFTER("t")
     " AND t.notes_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("cases", "notes_enc"),
     [](const pqxx::row& r) { return places::CaseNotes(Int(r, 2), Int(r, 3)); }},
    {"case_events", "SELECT t.ctid::text, t.detail_enc, t.network_id, t.id FROM case_events t" TOCSIN_AFTER("t")
     " AND t.detail_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("case_events", "detail_enc"),
     [](const pqxx::row& r) { return places::CaseEventDetail(Int(r, 2), Int(r, 3)); }},
    {"api_tokens", "SELECT t.ctid::text, t.inner_enc, t.network_id, t.id FROM api_tokens t" TOCSIN_AFTER("t")
     " AND t.inner_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET_HASHED("api_tokens", "inner_enc", "token_hash"),
     [](const pqxx::row& r) { return places::TokenInner(Int(r, 2), Int(r, 3)); },
     [](const DataCipher& to, const pqxx::row&, const std::string& unkeyed) { return to.KeyTokenHash(unkeyed); }},
    // Reports from the street (schema 0028): the place, the details, the reporter's number and its hash.
    {"reports", "SELECT t.ctid::text, t.location_enc, t.network_id, t.id FROM reports t" TOCSIN_AFTER("t")
     " AND t.location_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("reports", "location_enc"),
     [](const pqxx::row& r) { return places::ReportLocation(Int(r, 2), Int(r, 3)); }},
    {"reports", "SELECT t.ctid::text, t.details_enc, t.network_id, t.id FROM reports t" TOCSIN_AFTER("t")
     " AND t.details_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET("reports", "details_enc"),
     [](const pqxx::row& r) { return places::ReportDetails(Int(r, 2), Int(r, 3)); }},
    {"reports", "SELECT t.ctid::text, t.reporter_enc, t.network_id, t.id FROM reports t" TOCSIN_AFTER("t")
     " AND t.reporter_enc IS NOT NULL" TOCSIN_ORDER("t"),
     TOCSIN_SET_HASHED("reports", "reporter_enc", "reporter_hash"),
     [](const pqxx::row& r) { return places::ReportReporter(Int(r, 2), Int(r, 3)); }, &PhoneHash},
};

#undef TOCSIN_SET_HASHED
#undef TOCSIN_SET
#undef TOCSIN_ORDER
#undef TOCSIN_AFTER

constexpr std::size_t kColumnCount = sizeof kColumns / sizeof kColumns[0];

}  // namespace

bool ResealPass::Step(pqxx::work& tx) {
  if (column_ >= kColumnCount) return false;
  const auto& column = kColumns[column_];
  if (tx.exec_params1("SELECT to_regclass($1) IS NULL", column.table)[0].as<bool>()) {
    ++column_;  // not there yet: nothing sealed in it to move
    return column_ < kColumnCount;
  }
  auto rows = tx.exec_params(column.select, cursor_, batch_);
  std::vector<std::string> locs, values, derived;
  for (const auto& r : rows) {
    cursor_ = r[0].as<std::string>();
    const auto sealed = FromBytea(r[1]).value_or("");
    const auto place = column.place(r);
    if (to_.SealedHere(sealed, place)) continue;  // done already (contract 1)
    auto plaintext = from_.Open(sealed, place);
    if (!plaintext) {
      ++stats_.unreadable;
      continue;
    }
    locs.push_back(cursor_);
    values.push_back(ToHex(to_.Seal(*plaintext, place)));
    derived.push_back(column.derived ? ToHex(column.derived(to_, r, *plaintext)) : "");
  }
  if (!locs.empty()) {
    tx.exec_params(column.update, ToPgArray(locs), ToPgArray(values), ToPgArray(derived));
    stats_.rewritten += static_cast<long long>(locs.size());
  }
  if (static_cast<int>(rows.size()) < batch_) {  // this column is done: the next one
    ++column_;
    cursor_ = "(0,0)";
  }
  return column_ < kColumnCount;
}

}  // namespace tocsin
