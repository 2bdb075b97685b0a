#include "dispatch/store/case_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

#define TOCSIN_CASE_COLUMNS                                                                                  \
  "c.id, c.pseudonym, c.name_enc, c.phone_enc, c.reference_enc, c.notes_enc, c.language, c.areas, c.public," \
  " to_char(c.consent_mp, 'YYYY-MM-DD'), to_char(c.consent_legal, 'YYYY-MM-DD'), c.status,"                  \
  " to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                            \
  " to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kInsert =
    "INSERT INTO cases (id, network_id, pseudonym, name_enc, phone_enc, phone_hash, reference_enc, notes_enc,"
    " language, areas, public, consent_mp, consent_legal, status) OVERRIDING SYSTEM VALUE"
    " VALUES ($1, $2, $3, decode($4, 'hex'), decode($5, 'hex'), decode($6, 'hex'), decode($7, 'hex'),"
    " decode($8, 'hex'), $9, $10::text[], $11, $12::date, $13::date, $14)";
constexpr const char* kUpdate =
    "UPDATE cases SET pseudonym = $3, name_enc = decode($4, 'hex'), phone_enc = decode($5, 'hex'),"
    " phone_hash = decode($6, 'hex'), reference_enc = decode($7, 'hex'), notes_enc = decode($8, 'hex'),"
    " language = $9, areas = $10::text[], public = $11, consent_mp = $12::date, consent_legal = $13::date,"
    " status = $14, updated_at = now() WHERE id = $1 AND network_id = $2";
constexpr const char* kGet = "SELECT " TOCSIN_CASE_COLUMNS " FROM cases c WHERE c.network_id = $1 AND c.id = $2";
constexpr const char* kGetForUpdate =
    "SELECT " TOCSIN_CASE_COLUMNS " FROM cases c WHERE c.network_id = $1 AND c.id = $2 FOR UPDATE";
constexpr const char* kList =
    "SELECT " TOCSIN_CASE_COLUMNS " FROM cases c WHERE c.network_id = $1 AND ($2::text IS NULL OR c.status = $2)"
    " ORDER BY c.id LIMIT 1000";

#undef TOCSIN_CASE_COLUMNS

constexpr const char* kOrganisationOf = "SELECT 1 FROM organisations WHERE network_id = $1 AND id = $2";
constexpr const char* kMemberOf = "SELECT 1 FROM members WHERE network_id = $1 AND id = $2 AND status <> 'deleted'";
constexpr const char* kTreeOf = "SELECT id FROM trees WHERE network_id = $1 AND name = $2";
constexpr const char* kInsertContact =
    "INSERT INTO case_contacts (case_id, network_id, role, organisation_id, member_id, tree_id)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
constexpr const char* kContacts =
    "SELECT k.id, k.case_id, k.role, k.organisation_id, k.member_id, t.name,"
    " to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM case_contacts k LEFT JOIN trees t ON t.id = k.tree_id"
    " WHERE k.network_id = $1 AND k.case_id = $2 ORDER BY k.id";

std::optional<std::string> OptionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

std::optional<std::int64_t> OptionalId(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

// `v` unless it is the empty string that clears a value.
std::optional<std::string> Cleared(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string> CaseStore::OpenOptional(const pqxx::field& f, const SealPlace& place) const {
  auto sealed = FromBytea(f);
  if (!sealed) return std::nullopt;
  return cipher_.Open(*sealed, place).value_or("");
}

std::optional<std::string> CaseStore::SealHex(const std::optional<std::string>& v, const SealPlace& place) const {
  if (!v || v->empty()) return std::nullopt;
  return ToHex(cipher_.Seal(*v, place));
}

CaseRecord CaseStore::Read(const pqxx::row& r, std::int64_t network_id) const {
  CaseRecord c;
  c.id = r[0].as<std::int64_t>();
  c.pseudonym = r[1].as<std::string>();
  c.name = OpenOptional(r[2], places::CaseName(network_id, c.id)).value_or("");
  c.phone = OpenOptional(r[3], places::CasePhone(network_id, c.id));
  c.reference = OpenOptional(r[4], places::CaseReference(network_id, c.id));
  c.notes = OpenOptional(r[5], places::CaseNotes(network_id, c.id));
  c.language = r[6].as<std::string>();
  c.areas = FromPgArray(r[7]);
  c.is_public = r[8].as<bool>();
  c.consent_mp = OptionalText(r[9]);
  c.consent_legal = OptionalText(r[10]);
  c.status = r[11].as<std::string>();
  c.created_at = r[12].as<std::string>();
  c.updated_at = r[13].as<std::string>();
  return c;
}

void CaseStore::Write(pqxx::work& tx, std::int64_t network_id, const CaseRecord& c, bool insert) const {
  std::optional<std::string> phone_hash;
  if (c.phone) phone_hash = ToHex(cipher_.LookupHash(network_id, *c.phone));
  tx.exec_params(insert ? kInsert : kUpdate, c.id, network_id, c.pseudonym,
                 ToHex(cipher_.Seal(c.name, places::CaseName(network_id, c.id))),
                 SealHex(c.phone, places::CasePhone(network_id, c.id)), phone_hash,
                 SealHex(c.reference, places::CaseReference(network_id, c.id)),
                 SealHex(c.notes, places::CaseNotes(network_id, c.id)), c.language, ToPgArray(c.areas), c.is_public,
                 c.consent_mp, c.consent_legal, c.status);
}

CaseRecord CaseStore::Create(pqxx::work& tx, std::int64_t network_id, const CaseInput& in) const {
  CaseRecord c;
  c.id = ReserveId(tx, "cases");  // every sealed field is bound to it
  c.pseudonym = in.pseudonym.value_or("Case " + std::to_string(c.id));
  c.name = in.name.value_or("");
  c.phone = Cleared(in.phone);
  c.reference = Cleared(in.reference);
  c.notes = Cleared(in.notes);
  c.language = in.language.value_or("en");
  c.areas = in.areas.value_or(std::vector<std::string>{});
  c.is_public = in.is_public.value_or(false);
  c.consent_mp = Cleared(in.consent_mp);
  c.consent_legal = Cleared(in.consent_legal);
  c.status = in.status.value_or("open");
  Write(tx, network_id, c, true);
  return Get(tx, network_id, c.id).value();
}

Result<CaseRecord> CaseStore::Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const {
  auto rows = tx.exec_params(kGet, network_id, id);
  if (rows.empty()) return Error::NotFound("no such case");
  return Read(rows[0], network_id);
}

std::vector<CaseRecord> CaseStore::List(pqxx::transaction_base& tx, std::int64_t network_id,
                                        const std::optional<std::string>& status) const {
  std::vector<CaseRecord> out;
  for (const auto& r : tx.exec_params(kList, network_id, status)) out.push_back(Read(r, network_id));
  return out;
}

Result<CaseRecord> CaseStore::Update(pqxx::work& tx, std::int64_t network_id, std::int64_t id,
                                     const CaseInput& in) const {
  auto rows = tx.exec_params(kGetForUpdate, network_id, id);
  if (rows.empty()) return Error::NotFound("no such case");
  CaseRecord c = Read(rows[0], network_id);
  if (in.pseudonym) c.pseudonym = *in.pseudonym;
  if (in.name) c.name = *in.name;
  if (in.phone) c.phone = Cleared(in.phone);
  if (in.reference) c.reference = Cleared(in.reference);
  if (in.notes) c.notes = Cleared(in.notes);
  if (in.language) c.language = *in.language;
  if (in.areas) c.areas = *in.areas;
  if (in.is_public) c.is_public = *in.is_public;
  if (in.consent_mp) c.consent_mp = Cleared(in.consent_mp);
  if (in.consent_legal) c.consent_legal = Cleared(in.consent_legal);
  if (in.status) c.status = *in.status;
  Write(tx, network_id, c, false);
  return Get(tx, network_id, id);
}

Result<CaseContact> CaseStore::AddContact(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id,
                                          const CaseContactInput& in) const {
  if (tx.exec_params(kGet, network_id, case_id).empty()) return Error::NotFound("no such case");
  if (auto s = CheckCaseRole(in.role); !s.ok()) return s.error();
  const int given = int(in.organisation_id.has_value()) + int(in.member_id.has_value()) + int(in.tree.has_value());
  if (given != 1) {
    return Error::Invalid(in.organisation_id ? "member" : "organisation",
                          "give exactly one of organisation, member or tree");
  }
  std::optional<std::int64_t> tree_id;
  if (in.organisation_id && tx.exec_params(kOrganisationOf, network_id, *in.organisation_id).empty()) {
    return Error::Invalid("organisation", "no such organisation in this network");
  }
  if (in.member_id && tx.exec_params(kMemberOf, network_id, *in.member_id).empty()) {
    return Error::Invalid("member", "no such member in this network");
  }
  if (in.tree) {
    if (in.role != "campaign") return Error::Invalid("tree", "only a campaign contact is a tree");
    auto t = tx.exec_params(kTreeOf, network_id, *in.tree);
    if (t.empty()) return Error::Invalid("tree", "no such tree in this network");
    tree_id = t[0][0].as<std::int64_t>();
  }
  auto r = tx.exec_params1(kInsertContact, case_id, network_id, in.role, in.organisation_id, in.member_id, tree_id);
  CaseContact k;
  k.id = r[0].as<std::int64_t>();
  k.case_id = case_id;
  k.role = in.role;
  k.organisation_id = in.organisation_id;
  k.member_id = in.member_id;
  k.tree = in.tree;
  k.created_at = r[1].as<std::string>();
  return k;
}

Result<std::vector<CaseContact>> CaseStore::Contacts(pqxx::transaction_base& tx, std::int64_t network_id,
                                                     std::int64_t case_id) const {
  if (tx.exec_params(kGet, network_id, case_id).empty()) return Error::NotFound("no such case");
  std::vector<CaseContact> out;
  for (const auto& r : tx.exec_params(kContacts, network_id, case_id)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(), OptionalId(r[3]),
                   OptionalId(r[4]), OptionalText(r[5]), r[6].as<std::string>()});
  }
  return out;
}

}  // namespace tocsin
