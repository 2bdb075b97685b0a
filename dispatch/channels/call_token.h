// The token of a call Tocsin places: the last segment of its Url ({public_url}/twilio/voice/
// {token}). It names the call's delivery and attempt, under a keyed hash of the network's own
// subkey (DataCipher::LookupHash of "call/{delivery}/{attempt}", which no phone number can be),
// so that it cannot be guessed or moved to another call, and so that a process that did not
// place the call (after a restart) can tell which delivery a fetch is for and prepare its TwiML
// again from the database (Engine::RestoreCall): nothing but the delivery row is kept.
//
//   c{network_id}.{delivery_id}.{attempt}.{32 hex digits}
//
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dispatch/util/crypto.h"

namespace tocsin {

struct CallTokenParts {
  std::int64_t network_id = 0;
  std::int64_t delivery_id = 0;
  int attempt = 0;
};

std::string CallToken(const DataCipher& cipher, const CallTokenParts& parts);
// The parts of `token` when it is a call token whose hash is right; else nullopt.
std::optional<CallTokenParts> CheckCallToken(const DataCipher& cipher, std::string_view token);

}  // namespace tocsin
