// The `verification` block of a kind's policy (issue 12): whether a report of the kind must be
// confirmed by verifiers before its alert is raised, by how many, how long to wait, and what
// happens when nobody answers in time.
//
//   "verification": {"required": true, "confirmations": 1, "wait": "5m",
//                    "on_timeout": "coordinators" | "send" | "drop"}
//
// A policy without the block takes its kind's default (DefaultVerification): `raid` required,
// 1 confirmation, 5 minutes, coordinators decide; every other kind not required. Every key of
// a block that is given is optional and defaults to the raid's values (required, 1, 5m,
// coordinators): {"wait": "3m"} asks for verification with a 3-minute wait.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json.hpp>

#include "dispatch/util/result.h"

namespace tocsin {

enum class OnTimeout {
  kCoordinators,  // coordinators are asked and decide
  kSend,          // raised unverified ("unconfirmed report")
  kDrop,          // dismissed
};

struct Verification {
  bool required = false;
  int confirmations = 1;                       // 1..kMaxConfirmations; also the dismissals needed
  std::int64_t wait_ms = 5LL * 60 * 1000;      // neighbours are asked after half of it
  OnTimeout on_timeout = OnTimeout::kCoordinators;

  friend bool operator==(const Verification&, const Verification&) = default;
};

inline constexpr int kMaxConfirmations = 20;

Verification DefaultVerification(std::string_view kind);

// The verification of a kind whose policy carries `block` (nullopt: none given).
inline Verification EffectiveVerification(const std::optional<Verification>& block, std::string_view kind) {
  return block ? *block : DefaultVerification(kind);
}

std::string_view OnTimeoutName(OnTimeout t);  // "coordinators", "send", "drop"

// The block `v` (keys it leaves out take the raid's values). Errors name "verification.<key>".
Result<Verification> ParseVerification(const boost::json::value& v);
boost::json::object VerificationToJson(const Verification& v);

}  // namespace tocsin
