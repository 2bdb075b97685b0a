// A case's removal schedule (issue 13) through the real binary, the fake Twilio and real
// PostgreSQL, on the server's manual clock: `removal_directions` raises a `removal` alert to the
// case's contacts (its texts carry the deadline and the opening ask, consent rules kept), and
// each entry of the policy's schedule fires once at its offset from the deadline, as a durable
// deadline; entries already past fire at once, in order; a new deadline replaces the schedule;
// `released` ends the alert and its schedule and tells the contacts; the timeline shows it all;
// supporters' DONE replies are counted per ask and per day.
#include <catch2/catch.hpp>

#include "dispatch/util/clock.h"
#include "tests/support/case_fixture.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kMp = "+447700900701";
constexpr const char* kSupporter = "+447700900702";
constexpr const char* kBail = "+447700900703";
constexpr const char* kCoordinator = "+447700900709";
constexpr std::int64_t kHour = 3600 * 1000;

struct RemovalFixture : CaseFixture {
  std::int64_t mp = 0, bail = 0, supporter = 0, coordinator = 0, id = 0;

  RemovalFixture() {
    mp = n.AddMember(std::string(R"({"phone":")") + kMp + R"("})");
    bail = n.AddMember(std::string(R"({"phone":")") + kBail + R"("})");
    supporter = n.AddMember(std::string(R"({"phone":")") + kSupporter + R"("})");
    coordinator = n.AddMember(std::string(R"({"phone":")") + kCoordinator + R"(","roles":["coordinator"]})");
    Tree(supporter);
    // No consent, not public: the MP gets nothing of the case, supporters no reference.
    id = Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"home_office_ref":"H1234567"})");
    Contact(id, R"({"role":"mp","member":)" + std::to_string(mp) + "}");
    Contact(id, R"({"role":"bail","member":)" + std::to_string(bail) + "}");
    Contact(id, R"({"role":"campaign","tree":"supporters"})");
    // One step (the contacts) and no reminders, so only the schedule sends anything later; no
    // "schedule" key: the default one.
    REQUIRE(n.c.Put("/v1/networks/demo/policies/removal", R"({"steps":[{"audience":{"roles":["coordinator"]}}]})")
                .status == 200);
  }

  HttpResult Directions(std::int64_t deadline_ms) {
    return Event(id, R"({"type":"removal_directions","deadline":")" + Rfc3339Utc(deadline_ms) +
                         R"(","details":"flight KQ101 from Heathrow"})");
  }
  // How many asks (case_ask messages) the member was queued, and at which seqs.
  std::string Asks(std::int64_t alert, std::int64_t member) {
    return n.db.Scalar(
        "SELECT coalesce(string_agg(d.seq::text, ',' ORDER BY d.seq), '') FROM deliveries d JOIN alert_messages m"
        " ON m.alert_id = d.alert_id AND m.seq = d.seq AND m.language = d.language WHERE d.alert_id = " +
        std::to_string(alert) + " AND d.member_id = " + std::to_string(member) + " AND m.kind = 'case_ask'");
  }
  std::string Timers(std::int64_t alert, const std::string& state) {
    return n.db.Scalar("SELECT coalesce(string_agg(step::text, ',' ORDER BY due_at, step), '') FROM escalation_timers"
                       " WHERE kind = 'schedule' AND alert_id = " + std::to_string(alert) + " AND state = '" + state +
                       "'");
  }
};

std::int64_t AlertOf(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("alert").as_object().at("id").as_int64();
}

}  // namespace

TEST_CASE("Case removal: the default schedule fires at its offsets from the deadline, once each", "[pg][cases]") {
  RemovalFixture f;
  const auto now = f.n.Advance("1s");
  // 73h to the flight: 72h before is 1h from now, 24h before 49h, 6h before 67h, 1h after 74h.
  auto recorded = f.Directions(now + 73 * kHour);
  const auto alert = AlertOf(recorded);
  CHECK(recorded.Json().as_object().at("schedule").as_int64() == 4);
  CHECK(f.n.db.Scalar("SELECT kind || ' ' || status FROM alerts WHERE id = " + std::to_string(alert)) ==
        "removal open");
  CHECK(f.Timers(alert, "pending") == "1,2,3,4");

  // The alert itself: the opening ask, the deadline; bail gets the reference, the supporters not
  // (private case), the MP without consent nothing of the case.
  auto to_bail = f.FirstTo(kBail);
  CHECK(Has(to_bail, "removal directions for A."));
  CHECK(Has(to_bail, "H1234567"));
  CHECK(Has(to_bail, "Removal directions have been set. Please act now."));
  auto to_supporter = f.FirstTo(kSupporter);
  CHECK(Has(to_supporter, "removal directions for A., flight "));
  CHECK_FALSE(Has(to_supporter, "H1234567"));
  CheckNothingOfCase(f.FirstTo(kMp));

  // The timeline shows the schedule ahead, in time order, after the event and the alert.
  auto timeline = f.n.c.Get("/v1/networks/demo/cases/" + std::to_string(f.id) + "/timeline");
  REQUIRE(timeline.status == 200);
  auto items = timeline.Json().as_object().at("timeline").as_array();
  // Then the message that told the coordinators the MP has no consent (seq 1).
  REQUIRE(items.size() == 7);
  CHECK(items[0].as_object().at("type").as_string() == "removal_directions");
  CHECK(items[1].as_object().at("type").as_string() == "alert");
  CHECK(items[2].as_object().at("type").as_string() == "message");
  CHECK(items[2].as_object().at("kind").as_string() == "case_consent");
  CHECK(items[2].as_object().at("recipients").as_int64() == 1);
  CHECK(items[3].as_object().at("type").as_string() == "schedule");
  CHECK(items[3].as_object().at("before").as_string() == "72h");
  CHECK(items[3].as_object().at("state").as_string() == "pending");
  CHECK(items[6].as_object().at("after").as_string() == "1h");
  CHECK(items[6].as_object().at("ask").as_string() == "Did the flight leave? Record the outcome on the case.");

  // 72h before: the campaign only, not a minute early.
  f.n.Advance("59m");
  CHECK(f.Asks(alert, f.supporter).empty());
  f.n.Advance("1m");
  CHECK(f.Timers(alert, "fired") == "1");
  CHECK(f.Asks(alert, f.supporter) == "2");  // seq 1: the coordinators told the MP has no consent
  CHECK(f.Asks(alert, f.bail).empty());
  Eventually([&] { return f.To(kSupporter).size() == 2; }, "the 72h ask reaches the supporter");
  CHECK(Has(f.To(kSupporter)[1], "Three days to the flight"));

  // 24h before: campaign, legal and mp; the MP still gets nothing of the case.
  f.n.Advance("48h");
  CHECK(f.Timers(alert, "fired") == "1,2");
  CHECK(f.Asks(alert, f.supporter) == "2,3");
  CHECK(f.Asks(alert, f.mp) == "3");
  Eventually([&] { return f.To(kMp).size() == 2; }, "the 24h ask reaches the MP");
  CheckNothingOfCase(f.To(kMp)[1]);

  // 6h before, then 1h after to the coordinators.
  f.n.Advance("18h");
  CHECK(f.Asks(alert, f.supporter) == "2,3,4");
  CHECK(f.Asks(alert, f.coordinator).empty());
  f.n.Advance("7h");
  CHECK(f.Asks(alert, f.coordinator) == "5");
  Eventually([&] { return f.To(kCoordinator).size() == 2; }, "the coordinators are asked");
  CHECK(Has(f.To(kCoordinator).back(), "Did the flight leave?"));

  // Each entry fired once; nothing more however long the clock runs.
  CHECK(f.Timers(alert, "fired") == "1,2,3,4");
  f.n.Advance("48h");
  CHECK(f.Asks(alert, f.supporter) == "2,3,4");
  CHECK(f.n.db.Scalar("SELECT count(*) FROM alert_messages WHERE kind = 'case_ask' AND language = 'en' AND alert_id = " +
                      std::to_string(alert)) == "4");
}

TEST_CASE("Case removal: past entries fire at once in order; a new date replaces the schedule; release ends it",
          "[pg][cases]") {
  RemovalFixture f;
  // The network's own schedule, each entry to a different audience so the order shows in seqs.
  // A bad entry is refused naming its field, and changes nothing.
  const std::string steps = R"("steps":[{"audience":{"roles":["coordinator"]},"channel":"sms"}])";
  auto bad = f.n.c.Put("/v1/networks/demo/policies/removal",
                       "{" + steps + R"(,"schedule":[{"before":"72h","audience":{"contacts":["bail"]},"ask":"a"},)"
                                     R"({"before":"24x","audience":{"contacts":["campaign"]},"ask":"b"}]})");
  REQUIRE(bad.status == 422);
  CHECK(bad.Json().as_object().at("error").as_object().at("field").as_string() == "schedule[1].before");
  auto put = f.n.c.Put(
      "/v1/networks/demo/policies/removal",
      "{" + steps +
          R"(,"schedule":[{"after":"1h","audience":{"roles":["coordinator"]},"ask":"Did the flight leave?"},)"
          R"({"before":"6h","audience":{"contacts":["mp"]},"ask":"Six hours."},)"
          R"({"before":"72h","audience":{"contacts":["bail"]},"ask":"Prepare bail."},)"
          R"({"before":"24h","audience":{"contacts":["campaign"]},"ask":"Call the airline."}]})");
  INFO(put.body);
  REQUIRE(put.status == 200);

  // 5h to the flight: 72h, 24h and 6h before are past and fire at once, in that order.
  const auto now = f.n.Advance("1s");
  const auto alert = AlertOf(f.Directions(now + 5 * kHour));
  f.n.Advance("1s");
  CHECK(f.Timers(alert, "fired") == "2,3,1");  // by due time: 72h (2), 24h (3), 6h (1) before
  CHECK(f.Timers(alert, "pending") == "0");
  // seq 1: the coordinators told the MP has no consent.
  CHECK(f.Asks(alert, f.bail) == "2");
  CHECK(f.Asks(alert, f.supporter) == "3");
  CHECK(f.Asks(alert, f.mp) == "4");
  Eventually([&] { return f.To(kBail).size() == 2; }, "the bail ask is sent");
  CHECK(Has(f.To(kBail)[1], "Prepare bail."));

  // A new date: the pending entry is cancelled and the whole schedule is set from the new
  // deadline (nothing past now: nothing fires yet).
  auto again = f.Directions(now + 100 * kHour);
  INFO(again.body);
  REQUIRE(again.status == 201);
  CHECK(again.Json().as_object().at("alert").as_object().at("rescheduled").as_bool());
  CHECK(f.n.db.Scalar("SELECT count(*) FROM case_alerts") == "1");
  CHECK(f.Timers(alert, "cancelled") == "0");
  CHECK(f.Timers(alert, "pending") == "2,3,1,0");
  CHECK(f.n.db.Scalar("SELECT (extract(epoch FROM deadline) * 1000)::bigint FROM alerts WHERE id = " +
                      std::to_string(alert)) == std::to_string((now + 100 * kHour) / 1000 * 1000));  // to the second
  f.n.Advance("28h");  // 72h before the new date
  CHECK(f.Asks(alert, f.bail) == "2,5");
  // A deadline in the past is refused, naming the field, and records nothing.
  auto past = f.Directions(now - kHour);
  REQUIRE(past.status == 422);
  CHECK(past.Json().as_object().at("error").as_object().at("field").as_string() == "deadline");
  CHECK(f.n.db.Scalar("SELECT count(*) FROM case_events") == "2");

  // Released: the alert ends, its schedule with it, and the contacts are told.
  auto released = f.Event(f.id, R"({"type":"released"})");
  REQUIRE(released.status == 201);
  CHECK(f.n.db.Scalar("SELECT status FROM alerts WHERE id = " + std::to_string(alert)) == "resolved");
  CHECK(f.Timers(alert, "pending").empty());
  CHECK(f.Timers(alert, "cancelled") == "0,3,1,0");
  Eventually([&] { return f.n.Messages(alert, f.bail, "resolve") == 1; }, "bail support is told");
  CHECK(f.n.Messages(alert, f.supporter, "resolve") == 1);
  f.n.Advance("48h");
  f.n.Advance("48h");
  CHECK(f.Asks(alert, f.bail) == "2,5");
  CHECK(f.Asks(alert, f.supporter) == "3");
}

TEST_CASE("Case removal: DONE replies count once per ask, per action and per day", "[pg][cases]") {
  RemovalFixture f;
  const auto now = f.n.Advance("1s");
  auto recorded = f.Directions(now + 73 * kHour);
  const auto alert = AlertOf(recorded);
  const auto code = std::string(recorded.Json().as_object().at("alert").as_object().at("code").as_string());
  f.FirstTo(kSupporter);

  // The alert itself asked them: counted as "actions", once however often they say it.
  auto first = f.n.Reply(kSupporter, "Done");
  CHECK(Has(first.body, "thank you, your action is counted (1 so far for A.)"));
  auto again = f.n.Reply(kSupporter, "DONE!");
  CHECK(Has(again.body, "(1 so far for A.)"));
  // Bail support, naming the alert's code.
  CHECK(Has(f.n.Reply(kBail, "done " + code).body, "(2 so far for A.)"));
  // Someone never asked: not a count (kept as a reply for the coordinators).
  CHECK_FALSE(Has(f.n.Reply(kCoordinator, "DONE").body, "so far"));
  CHECK_FALSE(Has(f.n.Reply("+447700900799", "DONE").body, "so far"));

  // The 72h ask is "letters": the supporter's DONE now counts there.
  f.n.Advance("1h");
  Eventually([&] { return f.To(kSupporter).size() == 2; }, "the 72h ask reaches the supporter");
  CHECK(Has(f.n.Reply(kSupporter, "done").body, "(3 so far for A.)"));
  CHECK(f.n.db.Scalar("SELECT count(*) FROM case_actions WHERE alert_id = " + std::to_string(alert)) == "3");

  auto got = f.n.c.Get("/v1/networks/demo/cases/" + std::to_string(f.id));
  INFO(got.body);
  REQUIRE(got.status == 200);
  const auto body = got.Json();  // kept alive: `o` refers into it
  const auto& o = body.as_object();
  CHECK(o.at("actions").as_object().at("actions").as_int64() == 2);
  CHECK(o.at("actions").as_object().at("letters").as_int64() == 1);
  std::int64_t by_day = 0;
  for (const auto& d : o.at("actions_by_day").as_array()) {
    CHECK(d.as_object().at("day").as_string().size() == 10);
    for (const auto& kv : d.as_object().at("actions").as_object()) by_day += kv.value().as_int64();
  }
  CHECK(by_day == 3);
  auto timeline = f.n.c.Get("/v1/networks/demo/cases/" + std::to_string(f.id) + "/timeline");
  int done = 0;
  const auto items = timeline.Json().as_object().at("timeline").as_array();
  for (const auto& item : items) {
    if (item.as_object().at("type").as_string() == "done") ++done;
  }
  CHECK(done == 3);
}
