#include "dispatch/store/organisation_email_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/email_address.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

#define TOCSIN_EMAIL_COLUMNS \
  "m.id, m.organisation_id, m.address_enc, to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), m.network_id"

constexpr const char* kOrganisationOf = "SELECT 1 FROM organisations WHERE network_id = $1 AND id = $2";
constexpr const char* kInsert =
    "INSERT INTO organisation_emails AS m (organisation_id, network_id, address_enc, id)"
    " OVERRIDING SYSTEM VALUE VALUES ($2, $1, $3, $4) RETURNING " TOCSIN_EMAIL_COLUMNS;
constexpr const char* kList =
    "SELECT " TOCSIN_EMAIL_COLUMNS " FROM organisation_emails m"
    " WHERE m.network_id = $1 AND m.organisation_id = $2 ORDER BY m.id";
constexpr const char* kExists =
    "SELECT 1 FROM organisation_emails WHERE network_id = $1 AND organisation_id = $2 AND id = $3";
constexpr const char* kDelete =
    "DELETE FROM organisation_emails WHERE network_id = $1 AND organisation_id = $2 AND id = $3";

#undef TOCSIN_EMAIL_COLUMNS

}  // namespace

Result<std::string> NormaliseEmailAddress(const std::string& address) {
  const auto first = address.find_first_not_of(" \t");
  const auto last = address.find_last_not_of(" \t");
  std::string trimmed = first == std::string::npos ? "" : address.substr(first, last - first + 1);
  if (!IsEmailAddress(trimmed)) {
    return Error::Invalid("address", "address must be a plain email address such as cases@example.org");
  }
  return trimmed;
}

OrganisationEmail OrganisationEmailStore::Read(const pqxx::row& r) const {
  OrganisationEmail e;
  e.id = r[0].as<std::int64_t>();
  e.organisation_id = r[1].as<std::int64_t>();
  e.address = cipher_.Open(FromBytea(r[2]).value_or(""), places::EmailAddress(r[4].as<std::int64_t>(), e.id))
                  .value_or("");
  e.created_at = r[3].as<std::string>();
  return e;
}

Result<OrganisationEmail> OrganisationEmailStore::Create(pqxx::work& tx, const WebhookScope& s,
                                                         const std::string& address) const {
  if (tx.exec_params(kOrganisationOf, s.network_id, s.organisation_id).empty()) {
    return Error::NotFound("no such organisation");
  }
  const auto id = ReserveId(tx, "organisation_emails");  // the sealed address is bound to it
  auto r = tx.exec_params1(kInsert, s.network_id, s.organisation_id,
                           Bytea(cipher_.Seal(address, places::EmailAddress(s.network_id, id))), id);
  return Read(r);
}

Result<std::vector<OrganisationEmail>> OrganisationEmailStore::List(pqxx::transaction_base& tx,
                                                                    const WebhookScope& s) const {
  if (tx.exec_params(kOrganisationOf, s.network_id, s.organisation_id).empty()) {
    return Error::NotFound("no such organisation");
  }
  std::vector<OrganisationEmail> out;
  for (const auto& r : tx.exec_params(kList, s.network_id, s.organisation_id)) out.push_back(Read(r));
  return out;
}

Result<WebhookDeliveryPage> OrganisationEmailStore::Deliveries(pqxx::transaction_base& tx, const WebhookScope& s,
                                                              std::int64_t id, std::optional<std::int64_t> before_id,
                                                              int limit) const {
  if (tx.exec_params(kExists, s.network_id, s.organisation_id, id).empty()) {
    return Error::NotFound("no such email contact point");
  }
  return ContactDeliveries(tx, ContactKind::kEmail, id, before_id, limit);
}

Status OrganisationEmailStore::Delete(pqxx::work& tx, const WebhookScope& s, std::int64_t id) const {
  if (tx.exec_params(kDelete, s.network_id, s.organisation_id, id).affected_rows() == 0) {
    return Error::NotFound("no such email contact point");
  }
  return Ok{};
}

}  // namespace tocsin
