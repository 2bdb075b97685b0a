// What a call's status does to its delivery (model/call_outcome.h): every status, first call
// and retry.
#include "dispatch/model/call_outcome.h"

#include <catch2/catch.hpp>

namespace tocsin {

TEST_CASE("call outcome: completed is reached, with or without a key", "[voice]") {
  for (int attempts : {1, 2}) {
    auto o = DecideCallOutcome("completed", attempts, 1000);
    CHECK(o.kind == CallOutcome::Kind::kReached);
    CHECK(o.State() == DeliveryState::kDelivered);
    CHECK(o.error_code.empty());
  }
}

TEST_CASE("call outcome: no-answer and busy are retried once, a minute later", "[voice]") {
  for (const char* status : {"no-answer", "busy"}) {
    auto first = DecideCallOutcome(status, 1, 5000);
    CHECK(first.kind == CallOutcome::Kind::kRetry);
    CHECK(first.State() == DeliveryState::kQueued);
    CHECK(first.retry_at_ms == 5000 + 60000);
    CHECK(first.error_code == status);
    auto second = DecideCallOutcome(status, 2, 70000);
    CHECK(second.kind == CallOutcome::Kind::kFailed);
    CHECK(second.State() == DeliveryState::kFailed);
    CHECK(second.error_code == status);
  }
}

TEST_CASE("call outcome: failed and canceled are final; progress changes nothing", "[voice]") {
  for (const char* status : {"failed", "canceled"}) {
    auto o = DecideCallOutcome(status, 1, 0);
    CHECK(o.kind == CallOutcome::Kind::kFailed);
    CHECK(o.error_code == status);
  }
  for (const char* status : {"queued", "initiated", "ringing", "in-progress", "answered", "", "nonsense"}) {
    CHECK_FALSE(DecideCallOutcome(status, 1, 0).Final());
  }
}

}  // namespace tocsin
