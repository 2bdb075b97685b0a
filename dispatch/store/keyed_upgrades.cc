#include "dispatch/store/keyed_upgrades.h"

#include <string>
#include <vector>

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kTokenHashes = "SELECT id, token_hash FROM api_tokens";
constexpr const char* kSetTokenHashes =
    "UPDATE api_tokens t SET token_hash = decode(u.hash, 'hex')"
    " FROM unnest($1::bigint[], $2::text[]) AS u(id, hash) WHERE t.id = u.id";
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
  std::vector<std::string> hashes;
  for (const auto& r : tx.exec(kTokenHashes)) {
    ids.push_back(r[0].as<std::int64_t>());
    hashes.push_back(ToHex(cipher.KeyTokenHash(FromBytea(r[1]).value_or(""))));
  }
  if (!ids.empty()) tx.exec_params(kSetTokenHashes, ToPgArray(ids), ToPgArray(hashes));
  ids.clear();
  hashes.clear();
  for (const auto& r : tx.exec(kMemberPhones)) {
    auto phone = cipher.Open(FromBytea(r[2]).value_or(""));
    if (!phone) continue;  // unreadable under this key: it could not be found by phone anyway
    ids.push_back(r[0].as<std::int64_t>());
    hashes.push_back(ToHex(cipher.LookupHash(r[1].as<std::int64_t>(), *phone)));
  }
  if (!ids.empty()) tx.exec_params(kSetPhoneHashes, ToPgArray(ids), ToPgArray(hashes));
}

}  // namespace

KeyedUpgrade FindKeyedUpgrade(std::string_view name) {
  if (name == "keyed_lookups") return &KeyLookups;
  return nullptr;
}

}  // namespace tocsin
