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

namespace tocsin {

TEST_CASE("prepared calls: an ended alert's calls play their ended TwiML and take no key", "[voice]") {
  PreparedCalls calls(4);
  CHECK(calls.Add("a", {.prompt = "ALERT 7", .going = "G", .cannot = "C", .alert_id = 7, .ended = "ENDED"}));
  CHECK(calls.Add("b", {.prompt = "ALERT 8", .alert_id = 8, .ended = "ENDED 8"}));
  calls.SetSid("a", "CA1");
  calls.EndAlert(7);
  auto a = calls.Find("a");
  REQUIRE(a);
  CHECK(a->over);
  CHECK(a->prompt == "ENDED");
  CHECK(a->going == "ENDED");
  CHECK(a->cannot == "ENDED");
  CHECK_FALSE(calls.Find("b")->over);  // another alert's call plays on
  CHECK(calls.Find("b")->prompt == "ALERT 8");
  CHECK(calls.RemoveBySid("CA1"));  // its slot is still freed by its final status
}

}  // namespace tocsin

#include "dispatch/channels/call_token.h"

namespace tocsin {

TEST_CASE("call tokens: name their delivery under the network's key, and cannot be forged or moved", "[voice]") {
  auto cipher = DataCipher::FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  REQUIRE(cipher.ok());
  const DataCipher& c = cipher.value();
  const std::string token = CallToken(c, {3, 1234, 2});
  CHECK(token.starts_with("c3.1234.2."));
  auto parts = CheckCallToken(c, token);
  REQUIRE(parts);
  CHECK(parts->network_id == 3);
  CHECK(parts->delivery_id == 1234);
  CHECK(parts->attempt == 2);
  std::string moved = token;
  moved.replace(0, 7, "c3.1235");  // another delivery, same hash
  CHECK_FALSE(CheckCallToken(c, moved));
  CHECK_FALSE(CheckCallToken(c, "c4" + token.substr(2)));  // another network
  CHECK_FALSE(CheckCallToken(c, token.substr(0, token.size() - 1) + (token.back() == '0' ? "1" : "0")));
  CHECK_FALSE(CheckCallToken(c, "v123"));
  CHECK_FALSE(CheckCallToken(c, "c3.1234.2"));
  CHECK_FALSE(CheckCallToken(c, "c.."));
  CHECK(CallToken(c, {3, 1234, 3}) != token);  // a retry is another call
}

}  // namespace tocsin
