// The stored forms Tocsin wrote before issue 15's keys (computed here with libsodium directly,
// as the old code did), so tests can seed a database as an older release left it.
#pragma once

#include <string>
#include <string_view>

namespace tocsin::test {

// members.phone_hash before lookups were keyed per network: one keyed BLAKE2b for every network.
std::string LegacyLookupHash(std::string_view data_key_hex, std::string_view value);
// A sealed value before values were bound to their place: nonce || secretbox, no version byte.
std::string LegacySeal(std::string_view data_key_hex, std::string_view plaintext);

}  // namespace tocsin::test
