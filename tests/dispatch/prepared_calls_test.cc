// PreparedCalls: found by token, freed by the call's SID, bounded, and never holding a slot for
// ever when a call's final status is lost.
#include "dispatch/channels/prepared_calls.h"

#include <catch2/catch.hpp>

namespace tocsin {

TEST_CASE("prepared calls: by token, freed by sid, bounded", "[voice]") {
  PreparedCalls calls(2);
  CHECK(calls.Add("a", {.delivery_id = 1}));
  CHECK(calls.Add("b", {.delivery_id = 2}));
  CHECK_FALSE(calls.Add("c", {.delivery_id = 3}));  // full
  CHECK_FALSE(calls.Add("a", {.delivery_id = 4}));  // taken
  REQUIRE(calls.Find("a"));
  CHECK(calls.Find("a")->delivery_id == 1);
  CHECK_FALSE(calls.Find("zz"));
  calls.SetSid("a", "CA1");
  CHECK(calls.RemoveBySid("CA1"));
  CHECK_FALSE(calls.RemoveBySid("CA1"));
  CHECK_FALSE(calls.Find("a"));
  CHECK(calls.size() == 1);
  calls.Remove("b");
  CHECK(calls.size() == 0);
}

TEST_CASE("prepared calls: a call whose status never came is forgotten after max_age", "[voice]") {
  PreparedCalls calls(1, std::chrono::nanoseconds(0));
  CHECK(calls.Add("a", {.delivery_id = 1}));
  calls.SetSid("a", "CA1");
  CHECK(calls.Add("b", {.delivery_id = 2}));  // "a" was older than max_age: its slot is free
  CHECK_FALSE(calls.Find("a"));
  CHECK_FALSE(calls.RemoveBySid("CA1"));
}

}  // namespace tocsin
