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
