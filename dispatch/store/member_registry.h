// Members: the people alerts reach. Phone numbers and names are sealed with the DataCipher
// before they reach PostgreSQL and opened only when read back; a member is found by phone
// through the lookup hash keyed for its network (the same number hashes differently in each
// network, so a dump cannot link one person's memberships). Functions run inside a caller's transaction.
//
// Thread safety: a MemberRegistry holds only a const DataCipher and may be shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

// A member's fields as received (API JSON, a CSV row, the CLI). Unset means "not given".
struct MemberInput {
  std::optional<std::string> phone;
  std::optional<std::string> name;  // "" clears the name
  std::optional<std::string> language;
  std::optional<std::string> status;
  std::optional<std::vector<std::string>> areas;
  std::optional<std::vector<std::string>> roles;
  std::optional<std::vector<std::string>> channels;
  // Who is contacted when this member stays silent on an alert: another member of the network.
  // 0 clears it.
  std::optional<std::int64_t> backup;
};

struct Member {
  std::int64_t id = 0;
  std::string phone;  // E.164, opened
  std::optional<std::string> name;
  std::string language;
  std::vector<std::string> areas;
  std::vector<std::string> roles;
  std::vector<std::string> channels;
  std::string status;
  std::optional<std::int64_t> backup;
  std::string consent_at;  // RFC 3339 UTC
  std::string created_at;
  std::string updated_at;
};

struct MemberFilter {
  std::optional<std::string> area;
  std::optional<std::string> role;
  std::optional<std::string> status;
  std::int64_t after_id = 0;  // keyset cursor: members with id > after_id
  int limit = 50;             // 1..500
};

struct MemberPage {
  std::vector<Member> members;
  std::optional<std::int64_t> next_cursor;  // pass as after_id for the next page
};

// Validates and normalises: phone to E.164 (national numbers in `net`'s country), lists
// canonical (sorted, unique), every value checked. With `creating`, phone is required and
// unset fields get defaults (language: the network's; roles: responder; channels: sms;
// status: active). Errors name the field.
Result<MemberInput> NormaliseMemberInput(MemberInput in, const Network& net, bool creating);

// The smallest of `ids` that is not a member of the network, if any (one statement).
std::optional<std::int64_t> FirstUnknownMember(pqxx::transaction_base& tx, std::int64_t network_id,
                                               const std::vector<std::int64_t>& ids);

class MemberRegistry {
 public:
  explicit MemberRegistry(const DataCipher& cipher) : cipher_(cipher) {}

  // `in` must be normalised for creation. A number on the network's stop list (store/stop_list.h)
  // is created opted_out whatever `in` asks; a member created opted_out puts their number on it.
  // Conflict ("phone") if the number is a member already;
  // Invalid ("backup") if the backup is not another member of the network.
  Result<Member> Create(pqxx::work& tx, const Network& net, const MemberInput& in);
  Result<Member> Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const;
  MemberPage List(pqxx::transaction_base& tx, std::int64_t network_id, const MemberFilter& f) const;
  // Applies the fields set in `in` (normalised, not for creation). NotFound, Conflict on a
  // phone that another member has, or Invalid ("backup") as for Create. A new phone on the stop
  // list makes the member opted_out (Conflict "status" if `in` asks for another status); a
  // member left opted_out has their number put on the stop list.
  Result<Member> Update(pqxx::work& tx, const Network& net, std::int64_t id, const MemberInput& in);
  // Deletes the member: erases everything that identifies them (phone, name, the text of their
  // replies) and leaves an anonymous tombstone (status "deleted") so past alerts keep their
  // counts and timelines (their number stays on the stop list if they had stopped). A tombstone
  // is never read, listed, found by phone or updated (NotFound);
  // the same phone may join again as a new member. Their unsent messages are cancelled.
  Status Delete(pqxx::work& tx, std::int64_t network_id, std::int64_t id);
  // The names of those of `ids` that are members of the network (nullopt: no name, or deleted).
  std::unordered_map<std::int64_t, std::optional<std::string>> Names(pqxx::transaction_base& tx,
                                                                     std::int64_t network_id,
                                                                     const std::vector<std::int64_t>& ids) const;
  std::optional<std::int64_t> FindIdByPhone(pqxx::transaction_base& tx, std::int64_t network_id,
                                            const std::string& e164) const;

 private:
  Member Read(const pqxx::row& r) const;
  Status CheckBackup(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t member_id,
                     const MemberInput& in) const;
  void EnsureAreas(pqxx::work& tx, std::int64_t network_id, const std::vector<std::string>& areas);

  const DataCipher& cipher_;
};

}  // namespace tocsin
