// model/approval.h: when a raise waits for a second coordinator, and who that may be.
#include <catch2/catch.hpp>

#include "dispatch/model/approval.h"

using namespace tocsin;

TEST_CASE("approval: the rule is crossed by the audience size or by naming every area", "[approval]") {
  ApprovalRule off;
  CHECK_FALSE(off.Enabled());
  CHECK_FALSE(NeedsApproval(off, 1'000'000, {"E1", "SE15"}, {"E1", "SE15"}));

  ApprovalRule size;
  size.min_recipients = 500;
  CHECK(NeedsApproval(size, 500, {"SE15"}, {"E1", "SE15"}));
  CHECK(NeedsApproval(size, 501, {"SE15"}, {"E1", "SE15"}));
  CHECK_FALSE(NeedsApproval(size, 499, {"E1", "SE15"}, {"E1", "SE15"}));  // all areas: not this rule

  ApprovalRule areas;
  areas.all_areas = true;
  CHECK(NeedsApproval(areas, 0, {"E1", "SE15", "SE22"}, {"E1", "SE15"}));
  CHECK_FALSE(NeedsApproval(areas, 10'000, {"SE15"}, {"E1", "SE15"}));
  CHECK_FALSE(NeedsApproval(areas, 10, {"SE15"}, {}));  // a network without areas never crosses it
}

TEST_CASE("approval: min_recipients is checked and names its field", "[approval]") {
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-5}, kMaxApprovalRecipients + 1}) {
    ApprovalRule r;
    r.min_recipients = bad;
    auto s = CheckApprovalRule(r);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().field == "approval.min_recipients");
  }
  ApprovalRule good;
  good.min_recipients = 1;
  CHECK(CheckApprovalRule(good).ok());
}

TEST_CASE("approval: a second person is another token of another label", "[approval]") {
  ApprovalParty alice{"token:1", "alice"};
  CHECK(CheckSecondPerson(alice, {"token:1", "alice"}).error().code == ErrorCode::kForbidden);
  CHECK(CheckSecondPerson(alice, {"token:2", "alice"}).error().code == ErrorCode::kForbidden);
  CHECK(CheckSecondPerson(alice, {"token:2", "bo"}).ok());
  CHECK(CheckSecondPerson({"token:1", ""}, {"token:2", ""}).ok());  // unlabelled: the tokens differ
  CHECK(CheckSecondPerson({"inbound:legal-aid", ""}, {"token:2", ""}).ok());
}
