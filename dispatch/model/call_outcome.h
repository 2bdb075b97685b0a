// What a call's status (Twilio's CallStatus on a status callback) does to its delivery. Pure.
//
// Rules (issue 11):
//  1. "completed": the member was reached -> delivered, whether a key was pressed or not (an
//     answer, 1 or 2, is recorded by itself as a reply; voicemail or a hang-up is "reached, no
//     answer", and reminders and backups treat it as they treat an SMS nobody answered).
//  2. "no-answer" and "busy": the first call is retried once, kCallRetryMs later on the engine's
//     clock (the delivery is queued again); on the second call the delivery fails with the
//     status as its error code.
//  3. "failed" and "canceled": the delivery fails at once (the status is its error code).
//  4. Any other status (queued, initiated, ringing, in-progress, answered) changes nothing.
// A failed call is a silent node: the escalator repairs it as it does a failed SMS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dispatch/model/delivery_state.h"

namespace tocsin {

inline constexpr int kMaxCallAttempts = 2;          // a first call and one retry
inline constexpr std::int64_t kCallRetryMs = 60000;  // the retry waits a minute

struct CallOutcome {
  enum class Kind { kNone, kReached, kRetry, kFailed };
  Kind kind = Kind::kNone;
  std::string error_code;     // the call status when it did not reach the member
  std::int64_t retry_at_ms = 0;  // kRetry: when the next call may be placed (engine clock)

  bool Final() const { return kind != Kind::kNone; }
  // The delivery's new state: delivered, queued (a retry) or failed; kNone: none.
  DeliveryState State() const {
    return kind == Kind::kReached ? DeliveryState::kDelivered
           : kind == Kind::kRetry ? DeliveryState::kQueued
                                  : DeliveryState::kFailed;
  }
};

// `attempts`: the calls placed for the delivery so far, this one included.
inline CallOutcome DecideCallOutcome(std::string_view call_status, int attempts, std::int64_t now_ms) {
  CallOutcome out;
  if (call_status == "completed") {
    out.kind = CallOutcome::Kind::kReached;
  } else if (call_status == "no-answer" || call_status == "busy") {
    out.error_code = std::string(call_status);
    if (attempts < kMaxCallAttempts) {
      out.kind = CallOutcome::Kind::kRetry;
      out.retry_at_ms = now_ms + kCallRetryMs;
    } else {
      out.kind = CallOutcome::Kind::kFailed;
    }
  } else if (call_status == "failed" || call_status == "canceled") {
    out.kind = CallOutcome::Kind::kFailed;
    out.error_code = std::string(call_status);
  }
  return out;
}

}  // namespace tocsin
