#include "dispatch/store/member_registry.h"

#include "dispatch/model/validation.h"
#include "dispatch/store/keyset_page.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/store/stop_list.h"
#include "dispatch/util/phone.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

// Every select of members returns these columns in this order (read by MemberRegistry::Read).
#define TOCSIN_MEMBER_COLUMNS                                                          \
  "id, phone_enc, name_enc, language, areas, roles, channels, status, backup_id, network_id," \
  " to_char(consent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"         \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"         \
  " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kInsertMember =
    "INSERT INTO members (network_id, phone_hash, phone_enc, name_enc, language, areas, roles,"
    " channels, status, backup_id, id) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, decode($4, 'hex'), $5,"
    " $6::text[], $7::text[], $8::text[], $9, NULLIF($10::bigint, 0), $11)"
    " ON CONFLICT (network_id, phone_hash) DO NOTHING RETURNING " TOCSIN_MEMBER_COLUMNS;

constexpr const char* kSelectMember =
    "SELECT " TOCSIN_MEMBER_COLUMNS " FROM members WHERE network_id = $1 AND id = $2 AND status <> 'deleted'";

constexpr const char* kListMembers =
    "SELECT " TOCSIN_MEMBER_COLUMNS " FROM members WHERE network_id = $1 AND id > $2 AND status <> 'deleted'"
    " AND ($3::text IS NULL OR $3 = ANY(areas)) AND ($4::text IS NULL OR $4 = ANY(roles))"
    " AND ($5::text IS NULL OR status = $5) ORDER BY id LIMIT $6";

// Each column keeps its value when its parameter is NULL. consent_at restarts when a member
// who had opted out becomes active again (a new consent).
constexpr const char* kUpdateMember =
    "UPDATE members SET"
    " phone_hash = COALESCE(decode($3, 'hex'), phone_hash),"
    " phone_enc = COALESCE(decode($4, 'hex'), phone_enc),"
    " name_enc = CASE WHEN $5 THEN decode($6, 'hex') ELSE name_enc END,"
    " language = COALESCE($7, language), areas = COALESCE($8::text[], areas),"
    " roles = COALESCE($9::text[], roles), channels = COALESCE($10::text[], channels),"
    " consent_at = CASE WHEN status = 'opted_out' AND $11 = 'active' THEN now() ELSE consent_at END,"
    " status = COALESCE($11, status),"
    " backup_id = CASE WHEN $12::bigint IS NULL THEN backup_id ELSE NULLIF($12::bigint, 0) END,"
    " updated_at = now()"
    " WHERE network_id = $1 AND id = $2 AND status <> 'deleted' RETURNING " TOCSIN_MEMBER_COLUMNS;

// Deleting leaves a tombstone (schema/0010): the row stays for the alerts that name it, with
// nothing that identifies the person. What would have cascaded is done by hand: no one keeps
// them as a backup, their unsent messages are cancelled, the text of their replies is erased.
constexpr const char* kTombstoneMember =
    "UPDATE members m SET status = 'deleted', deleted_at = now(), updated_at = now(),"
    " phone_hash = sha256(uuid_send(gen_random_uuid())), phone_enc = ''::bytea, name_enc = NULL,"
    " areas = '{}', roles = '{}', channels = '{}', backup_id = NULL, language = n.default_language"
    " FROM networks n WHERE n.id = m.network_id AND m.network_id = $1 AND m.id = $2 AND m.status <> 'deleted'";
constexpr const char* kForgetAsBackup = "UPDATE members SET backup_id = NULL WHERE backup_id = $1";
constexpr const char* kForgetAsTreeBackup = "UPDATE tree_nodes SET backup_id = NULL WHERE backup_id = $1";
constexpr const char* kCancelQueued =
    "UPDATE deliveries SET state = 'cancelled', error_message = 'member deleted', updated_at = now()"
    " WHERE member_id = $1 AND state = 'queued'";
constexpr const char* kEraseReplyText = "UPDATE responses SET text_enc = NULL WHERE member_id = $1 AND text_enc IS NOT NULL";

constexpr const char* kNames =
    "SELECT id, name_enc FROM members WHERE network_id = $1 AND id = ANY($2::bigint[])";

constexpr const char* kFindByHash =
    "SELECT id FROM members WHERE network_id = $1 AND phone_hash = $2";

constexpr const char* kUnknownMembers =
    "SELECT id FROM unnest($2::bigint[]) AS ids(id)"
    " WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.network_id = $1 AND m.id = ids.id"
    "  AND m.status <> 'deleted') ORDER BY id LIMIT 1";

constexpr const char* kEnsureArea =
    "INSERT INTO areas (network_id, name) SELECT $1, unnest($2::text[])"
    " ON CONFLICT DO NOTHING";

std::optional<std::string> ArrayParam(const std::optional<std::vector<std::string>>& v) {
  if (!v) return std::nullopt;
  return ToPgArray(*v);
}

constexpr const char* kStatusForUpdate = "SELECT status FROM members WHERE network_id = $1 AND id = $2 FOR UPDATE";

}  // namespace

Result<MemberInput> NormaliseMemberInput(MemberInput in, const Network& net, bool creating) {
  if (in.phone) {
    auto e164 = NormalisePhone(*in.phone, net.country, "phone");
    if (!e164.ok()) return e164.error();
    in.phone = std::move(e164.value());
  } else if (creating) {
    return Error::Invalid("phone", "is required");
  }
  if (in.name && !in.name->empty()) {
    if (auto s = CheckText(*in.name, "name"); !s.ok()) return s.error();
  }
  if (in.language) {
    if (auto s = CheckLanguage(*in.language); !s.ok()) return s.error();
  } else if (creating) {
    in.language = net.default_language;
  }
  if (in.status) {
    if (auto s = CheckMemberStatus(*in.status); !s.ok()) return s.error();
  } else if (creating) {
    in.status = "active";
  }
  struct ListRule {
    std::optional<std::vector<std::string>>& list;
    const char* field;
    Status (*check)(std::string_view, std::string_view);
    std::vector<std::string> fallback;
  };
  for (ListRule rule : {ListRule{in.areas, "areas", &CheckAreaName, {}},
                        ListRule{in.roles, "roles", &CheckMemberRole, {"responder"}},
                        ListRule{in.channels, "channels", &CheckChannel, {"sms"}}}) {
    if (!rule.list) {
      if (creating) rule.list = rule.fallback;
      continue;
    }
    auto canon = CanonicalList(std::move(*rule.list), rule.field, rule.check);
    if (!canon.ok()) return canon.error();
    rule.list = std::move(canon.value());
  }
  if (in.channels && in.channels->empty()) {
    return Error::Invalid("channels", "a member needs at least one channel");
  }
  return in;
}

Member MemberRegistry::Read(const pqxx::row& r) const {
  Member m;
  m.id = r[0].as<std::int64_t>();
  const auto network_id = r[9].as<std::int64_t>();
  m.phone = cipher_.Open(FromBytea(r[1]).value_or(""), places::MemberPhone(network_id, m.id)).value_or("");
  if (auto sealed = FromBytea(r[2])) m.name = cipher_.Open(*sealed, places::MemberName(network_id, m.id));
  m.language = r[3].as<std::string>();
  m.areas = FromPgArray(r[4]);
  m.roles = FromPgArray(r[5]);
  m.channels = FromPgArray(r[6]);
  m.status = r[7].as<std::string>();
  if (!r[8].is_null()) m.backup = r[8].as<std::int64_t>();
  m.consent_at = r[10].as<std::string>();
  m.created_at = r[11].as<std::string>();
  m.updated_at = r[12].as<std::string>();
  return m;
}

void MemberRegistry::EnsureAreas(pqxx::work& tx, std::int64_t network_id,
                                 const std::vector<std::string>& areas) {
  if (!areas.empty()) tx.exec_params(kEnsureArea, network_id, ToPgArray(areas));
}

Status MemberRegistry::CheckBackup(pqxx::transaction_base& tx, std::int64_t network_id,
                                   std::int64_t member_id, const MemberInput& in) const {
  if (!in.backup || *in.backup == 0) return Ok{};
  if (*in.backup < 0) return Error::Invalid("backup", "must be a member id (a whole number >= 1) or null");
  if (*in.backup == member_id) return Error::Invalid("backup", "a member cannot be their own backup");
  if (FirstUnknownMember(tx, network_id, {*in.backup})) {
    return Error::Invalid("backup", "no such member in this network");
  }
  return Ok{};
}

Result<Member> MemberRegistry::Create(pqxx::work& tx, const Network& net, const MemberInput& in) {
  if (auto s = CheckBackup(tx, net.id, 0, in); !s.ok()) return s.error();
  const StopList stops(cipher_);
  // A number that texted STOP (and not START since) joins opted out, whoever adds it.
  const bool stopped = stops.Has(tx, net.id, *in.phone);
  const std::string status = stopped ? "opted_out" : *in.status;
  const auto id = ReserveId(tx, "members");  // the sealed values are bound to it
  std::optional<std::string> name;  // hex: a nullable bytea parameter
  if (in.name && !in.name->empty()) name = ToHex(cipher_.Seal(*in.name, places::MemberName(net.id, id)));
  auto rows = tx.exec_params(kInsertMember, net.id, Bytea(cipher_.LookupHash(net.id, *in.phone)),
                             Bytea(cipher_.Seal(*in.phone, places::MemberPhone(net.id, id))), name,
                             *in.language, ToPgArray(*in.areas), ToPgArray(*in.roles),
                             ToPgArray(*in.channels), status, in.backup.value_or(0), id);
  if (rows.empty()) return Error::Conflict("phone", "a member with this phone number exists");
  if (status == "opted_out" && !stopped) stops.Add(tx, net.id, *in.phone);
  EnsureAreas(tx, net.id, *in.areas);
  return Read(rows[0]);
}

Result<Member> MemberRegistry::Get(pqxx::transaction_base& tx, std::int64_t network_id,
                                   std::int64_t id) const {
  auto rows = tx.exec_params(kSelectMember, network_id, id);
  if (rows.empty()) return Error::NotFound("no such member");
  return Read(rows[0]);
}

MemberPage MemberRegistry::List(pqxx::transaction_base& tx, std::int64_t network_id,
                                const MemberFilter& f) const {
  MemberPage page;
  for (const auto& row : tx.exec_params(kListMembers, network_id, f.after_id, f.area, f.role, f.status,
                                        FetchCount(f.limit))) {
    page.members.push_back(Read(row));
  }
  page.next_cursor = TrimPage(page.members, f.limit);
  return page;
}

Result<Member> MemberRegistry::Update(pqxx::work& tx, const Network& net, std::int64_t id,
                                      const MemberInput& in) {
  if (auto s = CheckBackup(tx, net.id, id, in); !s.ok()) return s.error();
  if (in.status && *in.status != "opted_out") {
    // Consent is the member's: only their own START ends an opt-out (STOP by SMS).
    auto current = tx.exec_params(kStatusForUpdate, net.id, id);
    if (!current.empty() && current[0][0].as<std::string>() == "opted_out") {
      return Error::Conflict("status", "this member texted STOP: only their own START (by SMS) opts them back in");
    }
  }
  const StopList stops(cipher_);
  std::optional<std::string> status = in.status;
  if (in.phone && stops.Has(tx, net.id, *in.phone)) {  // a number that texted STOP
    if (status && *status != "opted_out") {
      return Error::Conflict("status", "this number texted STOP: only its own START (by SMS) opts it back in");
    }
    status = "opted_out";
  }
  std::optional<std::string> hash, phone, name;  // hex: nullable bytea parameters
  if (in.phone) {
    auto other = FindIdByPhone(tx, net.id, *in.phone);
    if (other && *other != id) {
      return Error::Conflict("phone", "another member has this phone number");
    }
    hash = ToHex(cipher_.LookupHash(net.id, *in.phone));
    phone = ToHex(cipher_.Seal(*in.phone, places::MemberPhone(net.id, id)));
  }
  if (in.name && !in.name->empty()) name = ToHex(cipher_.Seal(*in.name, places::MemberName(net.id, id)));
  auto rows = tx.exec_params(kUpdateMember, net.id, id, hash, phone, in.name.has_value(), name,
                             in.language, ArrayParam(in.areas), ArrayParam(in.roles),
                             ArrayParam(in.channels), status, in.backup);
  if (rows.empty()) return Error::NotFound("no such member");
  if (in.areas) EnsureAreas(tx, net.id, *in.areas);
  auto member = Read(rows[0]);
  if (member.status == "opted_out" && !member.phone.empty()) stops.Add(tx, net.id, member.phone);  // outlives the member
  return member;
}

Status MemberRegistry::Delete(pqxx::work& tx, std::int64_t network_id, std::int64_t id) {
  auto r = tx.exec_params(kTombstoneMember, network_id, id);
  if (r.affected_rows() == 0) return Error::NotFound("no such member");
  tx.exec_params(kForgetAsBackup, id);
  tx.exec_params(kForgetAsTreeBackup, id);
  tx.exec_params(kCancelQueued, id);
  tx.exec_params(kEraseReplyText, id);
  return Ok{};
}

std::unordered_map<std::int64_t, std::optional<std::string>> MemberRegistry::Names(
    pqxx::transaction_base& tx, std::int64_t network_id, const std::vector<std::int64_t>& ids) const {
  std::unordered_map<std::int64_t, std::optional<std::string>> out;
  for (const auto& r : tx.exec_params(kNames, network_id, ToPgArray(ids))) {
    auto sealed = FromBytea(r[1]);
    const auto id = r[0].as<std::int64_t>();
    out[id] = sealed ? cipher_.Open(*sealed, places::MemberName(network_id, id)) : std::nullopt;
  }
  return out;
}

std::optional<std::int64_t> MemberRegistry::FindIdByPhone(pqxx::transaction_base& tx,
                                                          std::int64_t network_id,
                                                          const std::string& e164) const {
  auto rows = tx.exec_params(kFindByHash, network_id, Bytea(cipher_.LookupHash(network_id, e164)));
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

std::optional<std::int64_t> FirstUnknownMember(pqxx::transaction_base& tx, std::int64_t network_id,
                                               const std::vector<std::int64_t>& ids) {
  auto rows = tx.exec_params(kUnknownMembers, network_id, ToPgArray(ids));
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

}  // namespace tocsin
