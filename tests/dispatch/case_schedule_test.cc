// Removal schedules and case input, pure: parsing (errors name the field), durations beyond a
// policy's 48h, the default schedule, and which entries are due when, including invariants over
// generated schedules (each entry fires once; past entries all at once, in time order).
#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include <boost/json.hpp>

#include "dispatch/model/case.h"
#include "dispatch/model/case_schedule.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kHour = 3600LL * 1000;

std::string ErrorField(std::string_view text) {
  auto r = ParseCaseSchedule(boost::json::parse(text));
  return r.ok() ? "" : r.error().field;
}

}  // namespace

TEST_CASE("Case schedule: parsed with offsets beyond 48h; errors name the field", "[cases][unit]") {
  auto r = ParseCaseSchedule(boost::json::parse(R"([
      {"at": "recorded", "audience": {"contacts": ["legal", "campaign"]}, "ask": "act now"},
      {"before": "72h", "audience": {"contacts": ["campaign"]}, "ask": "write to the Home Office"},
      {"before": "90s", "audience": {"contacts": ["campaign"]}, "ask": "last call"},
      {"after": "45m", "audience": {"roles": ["coordinator"]}, "ask": "did the flight leave?"}])"));
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 4);
  CHECK(r.value()[0].at_recorded);
  CHECK(r.value()[0].contacts == std::vector<std::string>{"campaign", "legal"});
  CHECK(r.value()[1].offset_ms == -72 * kHour);
  CHECK(r.value()[2].offset_ms == -90 * 1000);
  CHECK(r.value()[3].offset_ms == 45 * 60 * 1000);
  CHECK(r.value()[3].member_roles == std::vector<std::string>{"coordinator"});
  // Round trip through JSON.
  auto again = ParseCaseSchedule(CaseScheduleToJson(r.value()));
  REQUIRE(again.ok());
  CHECK(again.value() == r.value());

  CHECK(ErrorField(R"({})") == "schedule");
  CHECK(ErrorField(R"([{"before": "3d", "audience": {"contacts": ["mp"]}, "ask": "x"}])") == "schedule[0].before");
  CHECK(ErrorField(R"([{"before": "800h", "audience": {"contacts": ["mp"]}, "ask": "x"}])") == "schedule[0].before");
  CHECK(ErrorField(R"([{"audience": {"contacts": ["mp"]}, "ask": "x"}])") == "schedule[0].before");
  CHECK(ErrorField(R"([{"before": "1h", "after": "1h", "audience": {"contacts": ["mp"]}, "ask": "x"}])") ==
        "schedule[0].before");
  CHECK(ErrorField(R"([{"before": "1h", "audience": {"contacts": ["lawyer"]}, "ask": "x"}])") ==
        "schedule[0].audience.contacts");
  CHECK(ErrorField(R"([{"before": "1h", "audience": {"roles": ["boss"]}, "ask": "x"}])") ==
        "schedule[0].audience.roles");
  CHECK(ErrorField(R"([{"before": "1h", "audience": {"contacts": ["mp"]}}])") == "schedule[0].ask");
  CHECK(ErrorField(R"([{"before": "1h", "ask": "x"}])") == "schedule[0].audience");
  CHECK(ErrorField(R"([{"at": "now", "audience": {"contacts": ["mp"]}, "ask": "x"}])") == "schedule[0].at");
  CHECK(ErrorField(R"([{"before": "1h", "audience": {"contacts": ["mp"]}, "ask": "x", "colour": 1}])") ==
        "schedule[0].colour");
}

TEST_CASE("Case schedule: the default fires at once, 72h, 24h, 6h before and 1h after", "[cases][unit]") {
  const auto d = DefaultCaseSchedule();
  REQUIRE(d.size() == 5);
  const std::int64_t deadline = 1000 * kHour, recorded = 900 * kHour;
  std::vector<std::int64_t> times;
  for (const auto& e : d) times.push_back(EntryDueMs(e, deadline, recorded));
  CHECK(times == std::vector<std::int64_t>{recorded, deadline - 72 * kHour, deadline - 24 * kHour,
                                           deadline - 6 * kHour, deadline + kHour});
  CHECK(ParseCaseSchedule(CaseScheduleToJson(d)).value() == d);
}

TEST_CASE("Case schedule: past entries are due at once in time order; each fires once", "[cases][unit]") {
  const auto d = DefaultCaseSchedule();
  const std::int64_t deadline = 100 * kHour;
  // Directions recorded 10h before the flight: at-once, 72h and 24h are past.
  const std::int64_t recorded = deadline - 10 * kHour;
  auto due = DueEntries(d, deadline, recorded, {}, recorded);
  CHECK(due == std::vector<std::size_t>{1, 2, 0});  // 72h before, 24h before, then the recording
  std::set<std::size_t> fired(due.begin(), due.end());
  CHECK(DueEntries(d, deadline, recorded, fired, recorded + kHour).empty());
  CHECK(DueEntries(d, deadline, recorded, fired, deadline - 6 * kHour) == std::vector<std::size_t>{3});
  fired.insert(3);
  CHECK(DueEntries(d, deadline, recorded, fired, deadline + kHour - 1).empty());
  CHECK(DueEntries(d, deadline, recorded, fired, deadline + kHour) == std::vector<std::size_t>{4});

  // Generated schedules and clocks: over a run, every entry fires exactly once, never early, and
  // in nondecreasing time order.
  std::mt19937 rng(13);
  for (int run = 0; run < 500; ++run) {
    std::vector<ScheduleEntry> entries;
    const int n = 1 + int(rng() % 8);
    for (int i = 0; i < n; ++i) {
      ScheduleEntry e;
      e.at_recorded = rng() % 5 == 0;
      e.offset_ms = (std::int64_t(rng() % 200) - 150) * kHour / 2;
      e.contacts = {"campaign"};
      e.ask = "x";
      entries.push_back(e);
    }
    const std::int64_t dl = 1000 * kHour, rec = dl - std::int64_t(rng() % 120) * kHour;
    std::set<std::size_t> done;
    std::int64_t now = rec, last_due = std::numeric_limits<std::int64_t>::min();
    int firings = 0;
    while (now <= dl + 100 * kHour) {
      for (auto i : DueEntries(entries, dl, rec, done, now)) {
        REQUIRE(!done.count(i));
        const auto at = EntryDueMs(entries[i], dl, rec);
        REQUIRE(at <= now);
        REQUIRE(at >= last_due);
        last_due = at;
        done.insert(i);
        ++firings;
      }
      now += std::int64_t(rng() % 10 + 1) * kHour;
    }
    CHECK(firings == n);
  }
}

TEST_CASE("Case input and events: errors name the field", "[cases][unit]") {
  CaseInput in;
  CHECK(NormaliseCaseInput(in, "GB", "en", true).error().field == "name");
  in.name = "A";
  in.phone = "07700 900777";
  auto ok = NormaliseCaseInput(in, "GB", "en", true);
  REQUIRE(ok.ok());
  CHECK(*ok.value().phone == "+447700900777");
  CHECK(*ok.value().language == "en");
  in.consent_mp = "2027-02-29";
  CHECK(NormaliseCaseInput(in, "GB", "en", true).error().field == "consent.mp");
  in.consent_mp = "2028-02-29";
  CHECK(NormaliseCaseInput(in, "GB", "en", true).ok());
  CHECK(CheckCaseEvent({"detained", std::nullopt, std::nullopt, std::nullopt}).error().field == "where");
  CHECK(CheckCaseEvent({"removal_directions", std::nullopt, std::nullopt, std::nullopt}).error().field == "deadline");
  CHECK(CheckCaseEvent({"removal_directions", std::nullopt, "2026-12-03T06:10:00Z", std::nullopt}).ok());
  CHECK(CheckCaseEvent({"removed", std::nullopt, "2026-12-03T06:10:00Z", std::nullopt}).error().field == "deadline");
  CHECK(CheckCaseEvent({"escaped", std::nullopt, std::nullopt, std::nullopt}).error().field == "type");
}
