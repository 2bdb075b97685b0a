// A supporter's DONE (model/case_actions.h): the words, the optional alert code, nothing more.
#include <catch2/catch.hpp>

#include "dispatch/model/case_actions.h"

using namespace tocsin;

TEST_CASE("Case actions: DONE, with or without the alert's code, in any case and language", "[cases][unit]") {
  for (const char* body : {"DONE", "done", " Done! ", "fait", "Fait.", "تم", "انجام"}) {
    INFO(body);
    auto d = ParseDone(body);
    REQUIRE(d);
    CHECK_FALSE(d->alert_code);
  }
  auto coded = ParseDone("done k7q4");
  REQUIRE(coded);
  CHECK(coded->alert_code == "K7Q4");
  auto before = ParseDone("K7Q4 DONE");
  REQUIRE(before);
  CHECK(before->alert_code == "K7Q4");
}

TEST_CASE("Case actions: anything more is not a DONE", "[cases][unit]") {
  for (const char* body : {"", "done tomorrow", "not done", "done K0Q4", "done K7Q4 thanks", "1", "DONE DONE", "doné"}) {
    INFO(body);
    CHECK_FALSE(ParseDone(body));
  }
}
