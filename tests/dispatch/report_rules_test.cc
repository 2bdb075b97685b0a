// The pure decisions of a report's life (model/report_rules.h): verification over time, with a
// fake clock, and which report or alert a new report merges into.
#include <catch2/catch.hpp>

#include <random>

#include "dispatch/model/report_rules.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kT0 = 1'000'000'000;

VerificationFacts Raid() {
  VerificationFacts f;
  f.received_ms = kT0;
  f.rule = DefaultVerification("raid");  // 1 confirmation, 5 minutes
  return f;
}

}  // namespace

TEST_CASE("report rules: verification of a raid over its five minutes", "[reports]") {
  auto f = Raid();
  auto d = DecideVerification(f, kT0);
  CHECK(d.step == VerificationStep::kWait);
  CHECK(d.due_ms == kT0 + 150'000);  // half the wait: the neighbours
  d = DecideVerification(f, kT0 + 150'000);
  CHECK(d.step == VerificationStep::kAskNeighbours);
  CHECK(d.due_ms == kT0 + 5 * kMinute);
  f.neighbours_asked = true;
  d = DecideVerification(f, kT0 + 200'000);
  CHECK(d.step == VerificationStep::kWait);
  CHECK(d.due_ms == kT0 + 5 * kMinute);
  CHECK(DecideVerification(f, kT0 + 5 * kMinute).step == VerificationStep::kTimeout);

  f = Raid();
  f.confirmations = 1;
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kConfirm);
  f.dismissals = 1;  // a tie: confirmed
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kConfirm);
  f = Raid();
  f.dismissals = 1;
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kDismiss);
  f.rule.confirmations = 2;  // two needed either way
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kWait);
  f.confirmations = 1;
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kWait);
  f.confirmations = 2;
  CHECK(DecideVerification(f, kT0 + 1000).step == VerificationStep::kConfirm);
}

TEST_CASE("report rules: over generated runs, neighbours are asked once and every wait moves on", "[reports]") {
  std::mt19937_64 rng(12);
  for (int run = 0; run < 2000; ++run) {
    VerificationFacts f = Raid();
    f.rule.wait_ms = 1000 * std::uniform_int_distribution<std::int64_t>(1, 3600)(rng);
    f.rule.confirmations = std::uniform_int_distribution<int>(1, 3)(rng);
    std::int64_t now = kT0;
    int asked = 0;
    bool ended = false;
    for (int step = 0; step < 50 && !ended; ++step) {
      // An answer arrives now and then; otherwise the clock jumps to the decision's due time.
      if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) ++f.confirmations;
      if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) ++f.dismissals;
      auto d = DecideVerification(f, now);
      switch (d.step) {
        case VerificationStep::kWait:
          REQUIRE(d.due_ms.has_value());
          REQUIRE(*d.due_ms > now);
          REQUIRE(*d.due_ms <= f.received_ms + f.rule.wait_ms);
          now = *d.due_ms;
          break;
        case VerificationStep::kAskNeighbours:
          ++asked;
          REQUIRE_FALSE(f.neighbours_asked);
          f.neighbours_asked = true;
          break;
        case VerificationStep::kConfirm:
        case VerificationStep::kDismiss:
        case VerificationStep::kTimeout:
          REQUIRE(now <= f.received_ms + f.rule.wait_ms);
          ended = true;
          break;
      }
    }
    CHECK(ended);
    CHECK(asked <= 1);
  }
}

TEST_CASE("report rules: a report merges into a pending report or an open alert nearby", "[reports]") {
  const std::int64_t now = kT0 + 60 * kMinute;
  const std::int64_t window = 30 * kMinute;
  std::vector<MergeCandidate> c = {
      {1, false, "raid", {"SE15"}, now - 10 * kMinute},   // pending report, same area
      {2, true, "raid", {"SE15"}, now - 5 * kMinute},     // open alert, same area
      {3, false, "raid", {"SE22"}, now - 2 * kMinute},    // pending report, a neighbour
      {4, false, "raid", {"E8"}, now - 1 * kMinute},      // elsewhere
      {5, false, "detention", {"SE15"}, now - 1 * kMinute},  // another kind
      {6, false, "raid", {"SE15"}, now - 31 * kMinute},   // too old
  };
  auto t = MergeTarget("raid", {"SE15"}, {"SE22"}, c, now, window);
  REQUIRE(t.has_value());
  CHECK(t->id == 3);  // a pending report before an alert, the newest first
  t = MergeTarget("raid", {"SE15"}, {}, c, now, window);
  REQUIRE(t.has_value());
  CHECK(t->id == 1);
  t = MergeTarget("raid", {"SE15"}, {}, {c[1], c[3], c[5]}, now, window);
  REQUIRE(t.has_value());
  CHECK(t->id == 2);  // only the alert is near and recent
  CHECK_FALSE(MergeTarget("raid", {"N16"}, {"N1"}, c, now, window).has_value());
  CHECK(MergeTarget("detention", {"SE22"}, {"SE15"}, c, now, window)->id == 5);
  CHECK_FALSE(MergeTarget("removal", {"SE15"}, {}, c, now, window).has_value());
}
