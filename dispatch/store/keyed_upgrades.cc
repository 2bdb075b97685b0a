#include "dispatch/store/keyed_upgrades.h"

#include <string>
#include <vector>

#include "dispatch/store/pq_types.h"
#include "dispatch/store/reseal.h"
#include "dispatch/store/stop_list.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

// Rows made before this migration have no inner_enc (CreateToken writes it from now on).
constexpr const char* kTokenHashes =
    "SELECT id, network_id, token_hash FROM api_tokens WHERE inner_enc IS NULL";
constexpr const char* kSetTokenHashes =
    "UPDATE api_tokens t SET token_hash = decode(u.hash, 'hex'), inner_enc = decode(u.sealed, 'hex')"
    " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, hash, sealed) WHERE t.id = u.id";
// Tombstones (schema/0010) have a random hash and no phone: they stay as they are.
constexpr const char* kMemberPhones =
    "SELECT id, network_id, phone_enc FROM members WHERE status <> 'deleted'";
constexpr const char* kSetPhoneHashes =
    "UPDATE members m SET phone_hash = decode(u.hash, 'hex')"
    " FROM unnest($1::bigint[], $2::text[]) AS u(id, hash) WHERE m.id = u.id";

// Tokens: the stored unkeyed hash is keyed in place (the token itself is never known here).
// Members: the phone is opened and hashed under its network's subkey. A community network has
// thousands of members, not millions: one pass in memory, two statements per table.
void KeyLookups(pqxx::work& tx, const DataCipher& cipher) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> hashes, inners;
  for (const auto& r : tx.exec(kTokenHashes)) {
    const auto id = r[0].as<std::int64_t>();
    const auto unkeyed = FromBytea(r[2]).value_or("");
    ids.push_back(id);
    hashes.push_back(ToHex(cipher.KeyTokenHash(unkeyed)));
    inners.push_back(ToHex(cipher.Seal(unkeyed, places::TokenInner(r[1].as<std::int64_t>(), id))));
  }
  if (!ids.empty()) tx.exec_params(kSetTokenHashes, ToPgArray(ids), ToPgArray(hashes), ToPgArray(inners));
  ids.clear();
  hashes.clear();
  for (const auto& r : tx.exec(kMemberPhones)) {
    const auto id = r[0].as<std::int64_t>(), network_id = r[1].as<std::int64_t>();
    auto phone = cipher.Open(FromBytea(r[2]).value_or(""), places::MemberPhone(network_id, id));
    if (!phone) continue;  // unreadable under this key: it could not be found by phone anyway
    ids.push_back(id);
    hashes.push_back(ToHex(cipher.LookupHash(network_id, *phone)));
  }
  if (!ids.empty()) tx.exec_params(kSetPhoneHashes, ToPgArray(ids), ToPgArray(hashes));
}

// Values sealed before they were bound to their place (version 0) are sealed again, bound,
// under the same key: afterwards a value copied to another place opens nowhere.
void BindValues(pqxx::work& tx, const DataCipher& cipher) {
  ResealPass pass(cipher, cipher);
  while (pass.Step(tx)) {
  }
}

// Members opted out before the stop list existed: their numbers go on it (schema/0026).
constexpr const char* kOptedOutPhones =
    "SELECT id, network_id, phone_enc FROM members WHERE status = 'opted_out'";

void StopOptedOut(pqxx::work& tx, const DataCipher& cipher) {
  const StopList stops(cipher);
  for (const auto& r : tx.exec(kOptedOutPhones)) {
    const auto id = r[0].as<std::int64_t>(), network_id = r[1].as<std::int64_t>();
    auto phone = cipher.Open(FromBytea(r[2]).value_or(""), places::MemberPhone(network_id, id));
    if (phone) stops.Add(tx, network_id, *phone);
  }
}

}  // namespace

KeyedUpgrade FindKeyedUpgrade(std::string_view name) {
  if (name == "keyed_lookups") return &KeyLookups;
  if (name == "bound_values") return &BindValues;
  if (name == "stopped_numbers") return &StopOptedOut;
  return nullptr;
}

}  // namespace tocsin
