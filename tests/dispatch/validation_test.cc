#include <catch2/catch.hpp>

#include "dispatch/model/validation.h"

using namespace tocsin;

TEST_CASE("validation: slugs, languages, areas, roles", "[validation]") {
  CHECK(CheckSlug("peckham-rr").ok());
  CHECK_FALSE(CheckSlug("Peckham").ok());
  CHECK_FALSE(CheckSlug("-x").ok());
  CHECK(CheckSlug("x", "slug").ok() == false);
  CHECK(CheckLanguage("fa").ok());
  CHECK(CheckLanguage("pt-BR").ok());
  CHECK_FALSE(CheckLanguage("English").ok());
  CHECK(CheckAreaName("SE15").ok());
  CHECK(CheckAreaName("Old Kent Road").ok());
  CHECK_FALSE(CheckAreaName("a;b").ok());
  CHECK_FALSE(CheckAreaName("").ok());
  CHECK(CheckMemberRole("verifier").ok());
  auto bad = CheckMemberRole("boss", "roles");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().field == "roles");
  CHECK(bad.error().message.find("responder") != std::string::npos);
}

TEST_CASE("validation: text is UTF-8 without control characters", "[validation]") {
  CHECK(CheckText("Amira", "name").ok());
  CHECK(CheckText("\xd8\xa3\xd9\x85\xd9\x8a\xd8\xb1\xd8\xa9", "name").ok());  // Arabic
  CHECK_FALSE(CheckText("\xc3\x28", "name").ok());  // broken sequence
  CHECK_FALSE(CheckText("\xed\xa0\x80", "name").ok());  // a UTF-16 surrogate
  CHECK_FALSE(CheckText("a\x01", "name").ok());
  CHECK_FALSE(CheckText(std::string(201, 'a'), "name").ok());
}

TEST_CASE("validation: lists become sorted and unique", "[validation]") {
  auto r = CanonicalList({"SE22", "SE15", "SE22"}, "areas", &CheckAreaName);
  REQUIRE(r.ok());
  CHECK(r.value() == std::vector<std::string>{"SE15", "SE22"});
  auto bad = CanonicalList({"SE15", "x;y"}, "areas", &CheckAreaName);
  CHECK_FALSE(bad.ok());
}

TEST_CASE("validation: RFC 3339 times, every part in range", "[validation]") {
  for (auto ok : {"2026-11-30T00:00:00Z", "2026-11-30t06:40:00.123z", "2028-02-29T23:59:59+01:00",
                  "2026-01-01T00:00:00-05:30"}) {
    INFO(ok);
    CHECK(CheckTime(ok, "since").ok());
  }
  for (auto bad : {"", "2026-11-30", "2026-11-30 00:00:00Z", "2026-13-01T00:00:00Z",
                   "2027-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-30T24:00:00Z",
                   "2026-11-30T00:60:00Z", "2026-11-30T00:00:00.Z", "2026-11-30T00:00:00+1:00",
                   "2026-11-30T00:00:00+24:00", "yesterday"}) {
    INFO(bad);
    auto s = CheckTime(bad, "since");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().field == "since");
  }
}
