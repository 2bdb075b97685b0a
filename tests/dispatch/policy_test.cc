#include <catch2/catch.hpp>

#include "dispatch/model/policy.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;

constexpr std::string_view kIssueExample = R"({"steps": [
   {"audience": {"roles": ["responder"], "areas": "alert"},      "channel": "sms", "wait": "3m", "until": {"going": 5}},
   {"audience": {"roles": ["responder"], "areas": "neighbours"}, "channel": "sms", "wait": "5m", "until": {"going": 5}},
   {"audience": {"roles": ["coordinator"]},                      "channel": "sms"}],
 "reminder": {"after": "2m"},
 "stand_down": true})";

// The field named by the error of parsing `text`, or "(ok)" when it parses.
std::string FieldOf(std::string_view text) {
  auto p = ParsePolicyText(text);
  if (p.ok()) return "(ok)";
  INFO(p.error().message);
  CHECK(p.error().code == ErrorCode::kInvalid);
  return p.error().field;
}

std::string MessageOf(std::string_view text) {
  auto p = ParsePolicyText(text);
  return p.ok() ? "(ok)" : p.error().message;
}

// A one-step policy around `step` (a JSON object's body).
std::string OneStep(std::string_view step) { return R"({"steps": [{)" + std::string(step) + "}]}"; }

void CheckRoundTrip(const Policy& p) {
  auto json = PolicyToJson(p);
  INFO(boost::json::serialize(json));
  auto back = ParsePolicy(json);
  REQUIRE(back.ok());
  CHECK(back.value() == p);
  auto text_back = ParsePolicyText(boost::json::serialize(json));
  REQUIRE(text_back.ok());
  CHECK(text_back.value() == p);
}

}  // namespace

TEST_CASE("policy: the issue's example parses to the right model", "[policy]") {
  auto r = ParsePolicyText(kIssueExample);
  REQUIRE(r.ok());
  const Policy& p = r.value();
  REQUIRE(p.steps.size() == 3);

  CHECK(p.steps[0].audience.roles == std::vector<std::string>{"responder"});
  CHECK(p.steps[0].audience.scope == AreaScope::kAlert);
  CHECK(p.steps[0].channel == "sms");
  CHECK(p.steps[0].wait_ms == 3 * kMinute);
  CHECK(p.steps[0].until_going == 5);
  CHECK_FALSE(p.steps[0].until_confirmed);

  CHECK(p.steps[1].audience.scope == AreaScope::kNeighbours);
  CHECK(p.steps[1].wait_ms == 5 * kMinute);
  CHECK(p.steps[1].until_going == 5);

  CHECK(p.steps[2].audience.roles == std::vector<std::string>{"coordinator"});
  CHECK(p.steps[2].audience.scope == AreaScope::kNetwork);
  CHECK_FALSE(p.steps[2].wait_ms.has_value());
  CHECK_FALSE(p.steps[2].HasGoal());

  CHECK(p.reminder_after_ms == 2 * kMinute);
  CHECK_FALSE(p.backup_after_ms.has_value());
  CHECK(EffectiveBackupAfterMs(p) == 4 * kMinute);
  CHECK(p.stand_down);

  // It is exactly the raid default.
  CHECK(p == DefaultPolicy("raid"));
  CheckRoundTrip(p);
}

TEST_CASE("policy: defaults and optional keys", "[policy]") {
  auto r = ParsePolicyText(R"({"steps": [{"audience": {}}]})");
  REQUIRE(r.ok());
  const auto& step = r.value().steps[0];
  CHECK(step.audience.roles == std::vector<std::string>{"responder"});
  CHECK(step.audience.scope == AreaScope::kNetwork);
  CHECK(step.channel == "sms");
  CHECK_FALSE(r.value().reminder_after_ms.has_value());
  CHECK_FALSE(EffectiveBackupAfterMs(r.value()).has_value());
  CHECK_FALSE(r.value().stand_down);
  CheckRoundTrip(r.value());
}

TEST_CASE("policy: named areas, trees and members round-trip in canonical form", "[policy]") {
  auto r = ParsePolicyText(R"({
    "steps": [
      {"audience": {"areas": ["SE22", "SE15", "Old Kent Road", "SE15"],
                    "roles": ["verifier", "responder", "verifier"]},
       "wait": "1h30m", "until": {"going": 2}},
      {"audience": {"tree": "Peckham callers"}, "wait": "90s",
       "until": {"confirmed": true, "going": 4}},
      {"audience": {"members": [42, 7, 42]}, "channel": "sms", "wait": "45s"}],
    "reminder": {"after": "1m"},
    "backup": {"after": "3m"},
    "stand_down": false})");
  REQUIRE(r.ok());
  const Policy& p = r.value();
  CHECK(p.steps[0].audience.scope == AreaScope::kNamed);
  CHECK(p.steps[0].audience.areas == std::vector<std::string>{"Old Kent Road", "SE15", "SE22"});
  CHECK(p.steps[0].audience.roles == std::vector<std::string>{"responder", "verifier"});
  CHECK(p.steps[0].wait_ms == 90 * kMinute);
  CHECK(p.steps[1].audience.scope == AreaScope::kTree);
  CHECK(p.steps[1].audience.tree == "Peckham callers");
  CHECK(p.steps[1].audience.roles.empty());
  CHECK(p.steps[1].until_confirmed);
  CHECK(p.steps[1].until_going == 4);
  CHECK(p.steps[1].wait_ms == 90 * 1000);
  CHECK(p.steps[2].audience.scope == AreaScope::kMembers);
  CHECK(p.steps[2].audience.members == std::vector<std::int64_t>{7, 42});
  CHECK(p.steps[2].wait_ms == 45 * 1000);  // a wait on the last step is allowed
  CHECK(p.backup_after_ms == 3 * kMinute);
  CHECK(EffectiveBackupAfterMs(p) == 3 * kMinute);
  CheckRoundTrip(p);
}

TEST_CASE("policy: every default policy validates and round-trips", "[policy]") {
  for (std::string_view kind : {"raid", "detention", "removal", "other"}) {
    INFO(kind);
    auto p = DefaultPolicy(kind);
    CHECK(ValidatePolicy(p).ok());
    CHECK(p.steps.back().audience.roles == std::vector<std::string>{"coordinator"});
    CHECK(p.steps.front().audience.scope == AreaScope::kAlert);
    CheckRoundTrip(p);
  }
  auto detention = DefaultPolicy("detention");
  CHECK(detention.steps.size() == 2);
  CHECK(detention.steps[0].until_going == 3);
  CHECK(detention.steps[0].wait_ms == 10 * kMinute);
  CHECK(detention.reminder_after_ms == 5 * kMinute);
  CHECK_FALSE(detention.stand_down);

  auto removal = DefaultPolicy("removal");
  REQUIRE(removal.steps.size() == 3);
  CHECK(removal.steps[0].until_going == 10);
  CHECK(removal.steps[0].wait_ms == 30 * kMinute);
  CHECK(removal.steps[1].audience.scope == AreaScope::kNeighbours);
  CHECK(removal.reminder_after_ms == 15 * kMinute);
  CHECK(removal.schedule == DefaultCaseSchedule());
  CHECK_FALSE(DefaultPolicy("detention").schedule);

  auto other = DefaultPolicy("other");
  CHECK(other.steps.size() == 2);
  CHECK(other.steps[0].wait_ms == 10 * kMinute);
  CHECK(DefaultPolicy("something-else") == other);
}

TEST_CASE("policy: ValidatePolicy catches a model built wrong in code", "[policy]") {
  auto p = DefaultPolicy("raid");
  p.steps[0].wait_ms.reset();
  auto s = ValidatePolicy(p);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().field == "steps[0].wait");

  p = DefaultPolicy("raid");
  p.steps[1].channel = "voice";
  CHECK(ValidatePolicy(p).ok());
  p.steps[1].channel = "fax";
  s = ValidatePolicy(p);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().field == "steps[1].channel");
  CHECK(s.error().message == "unknown channel 'fax' (one of: sms, voice)");

  p = DefaultPolicy("raid");
  p.steps[0].wait_ms = 1500;  // not whole seconds
  CHECK(ValidatePolicy(p).error().field == "steps[0].wait");
}

TEST_CASE("policy: durations", "[policy][duration]") {
  CHECK(ParseDuration("90s", "d").value() == 90 * 1000);
  CHECK(ParseDuration("3m", "d").value() == 3 * kMinute);
  CHECK(ParseDuration("1h", "d").value() == 60 * kMinute);
  CHECK(ParseDuration("1h30m", "d").value() == 90 * kMinute);
  CHECK(ParseDuration("2m30s", "d").value() == 150 * 1000);
  CHECK(ParseDuration("1h0m5s", "d").value() == 3605 * 1000);
  CHECK(ParseDuration("48h", "d").value() == 48 * 60 * kMinute);
  CHECK(ParseDuration("172800s", "d").value() == 48 * 60 * kMinute);

  for (std::string_view bad :
       {"", "3", "3x", "-1m", "0s", "49h", "m", "3 m", "3M", " 3m", "3m ", "1.5h", "30m1h", "1h1h",
        "3ms", "47h61m", "99999999999999999999s", "2880m1s"}) {
    INFO("'" << bad << "'");
    auto r = ParseDuration(bad, "steps[0].wait");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalid);
    CHECK(r.error().field == "steps[0].wait");
  }
  CHECK(ParseDuration("0s", "d").error().message == "must be more than zero");
  CHECK(ParseDuration("0h0m", "d").error().message == "must be more than zero");
  CHECK(ParseDuration("49h", "d").error().message == "must be at most 48h");
  CHECK(ParseDuration("3x", "d").error().message.find("'90s'") != std::string::npos);

  CHECK(FormatDuration(3 * kMinute) == "3m");
  CHECK(FormatDuration(90 * 1000) == "90s");
  CHECK(FormatDuration(60 * kMinute) == "1h");
  CHECK(FormatDuration(90 * kMinute) == "90m");
  CHECK(FormatDuration(1500) == "1500ms");
  CHECK(FormatDuration(0) == "0s");
  for (std::int64_t ms : std::vector<std::int64_t>{1000, 59000, 61000, 3 * kMinute, 3599000,
                                                   3600000, 5400000, 48 * 60 * kMinute}) {
    INFO(ms);
    CHECK(ParseDuration(FormatDuration(ms), "d").value() == ms);
  }
}

TEST_CASE("policy: malformed and oversized text", "[policy]") {
  auto r = ParsePolicyText(R"({"steps": [)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kMalformed);
  r = ParsePolicyText("");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kMalformed);
  r = ParsePolicyText(std::string(kMaxPolicyBytes + 1, ' '));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kTooLarge);
  r = ParsePolicyText("[1, 2]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalid);
}

TEST_CASE("policy: unknown keys are named at every level", "[policy]") {
  CHECK(FieldOf(R"({"steps": [{"audience": {}}], "colour": 1})") == "colour");
  CHECK(FieldOf(OneStep(R"("audience": {}, "colour": "red")")) == "steps[0].colour");
  CHECK(FieldOf(OneStep(R"("audience": {"colour": "red"})")) == "steps[0].audience.colour");
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": {"going": 1, "colour": 2})")) ==
        "steps[0].until.colour");
  CHECK(FieldOf(R"({"steps": [{"audience": {}}], "reminder": {"after": "2m", "colour": 1}})") ==
        "reminder.colour");
  CHECK(FieldOf(R"({"steps": [{"audience": {}}], "backup": {"colour": 1}})") == "backup.colour");
  CHECK(MessageOf(R"({"steps": [{"audience": {}}], "colour": 1})") == "unknown field");
  // A long unknown key is cut in the field path.
  auto long_key = std::string(500, 'k');
  CHECK(FieldOf(R"({"steps": [{"audience": {}}], ")" + long_key + R"(": 1})") ==
        std::string(64, 'k'));
}

TEST_CASE("policy: steps", "[policy]") {
  CHECK(FieldOf(R"({})") == "steps");
  CHECK(FieldOf(R"({"steps": []})") == "steps");
  CHECK(FieldOf(R"({"steps": {}})") == "steps");
  std::string eleven = R"({"steps": [)";
  for (int i = 0; i < 11; ++i)
    eleven += std::string(i ? "," : "") + R"({"audience": {}, "wait": "1m"})";
  eleven += "]}";
  CHECK(FieldOf(eleven) == "steps");
  CHECK(MessageOf(eleven) == "at most 10 steps");
  CHECK(FieldOf(R"({"steps": [{"audience": {}}, "x"]})") == "steps[1]");
  CHECK(FieldOf(R"({"steps": [{"channel": "sms"}]})") == "steps[0].audience");
  CHECK(FieldOf(R"({"steps": [{"audience": []}]})") == "steps[0].audience");

  // wait: required on every step but the last, and a real duration.
  auto missing_wait = R"({"steps": [{"audience": {}, "wait": "1m"}, {"audience": {}},
                                    {"audience": {}}]})";
  CHECK(FieldOf(missing_wait) == "steps[1].wait");
  CHECK(FieldOf(OneStep(R"("audience": {}, "wait": 180)")) == "steps[0].wait");
  CHECK(FieldOf(OneStep(R"("audience": {}, "wait": "3x")")) == "steps[0].wait");
  CHECK(FieldOf(OneStep(R"("audience": {}, "wait": "49h")")) == "steps[0].wait");

  // channel
  CHECK(ParsePolicyText(OneStep(R"("audience": {}, "channel": "voice")")).value().steps[0].channel == "voice");
  CHECK(FieldOf(OneStep(R"("audience": {}, "channel": "fax")")) == "steps[0].channel");
  CHECK(FieldOf(OneStep(R"("audience": {}, "channel": 1)")) == "steps[0].channel");
}

TEST_CASE("policy: until", "[policy]") {
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": {"going": 0})")) == "steps[0].until.going");
  CHECK(MessageOf(OneStep(R"("audience": {}, "until": {"going": 0})")) ==
        "must be a whole number >= 1");
  for (std::string_view going :
       {"-3", "2.5", "5.0", "\"5\"", "true", "null", "18446744073709551615"}) {
    INFO(going);
    CHECK(FieldOf(OneStep(R"("audience": {}, "until": {"going": )" + std::string(going) + "}")) ==
          "steps[0].until.going");
  }
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": {"going": 10001})")) == "steps[0].until.going");
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": {})")) == "steps[0].until");
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": 5)")) == "steps[0].until");
  // confirmed: only true, only for a tree.
  CHECK(FieldOf(OneStep(R"("audience": {}, "until": {"confirmed": true})")) ==
        "steps[0].until.confirmed");
  CHECK(FieldOf(OneStep(R"("audience": {"tree": "t"}, "until": {"confirmed": false})")) ==
        "steps[0].until.confirmed");
  CHECK(FieldOf(OneStep(R"("until": {"confirmed": true}, "audience": {"tree": "t"})")) == "(ok)");
}

TEST_CASE("policy: audience", "[policy]") {
  // roles
  CHECK(FieldOf(OneStep(R"("audience": {"roles": ["responder", "verifier", "boss"]})")) ==
        "steps[0].audience.roles[2]");
  CHECK(MessageOf(OneStep(R"("audience": {"roles": ["boss"]})")).find("coordinator") !=
        std::string::npos);
  CHECK(FieldOf(OneStep(R"("audience": {"roles": ["responder", 3]})")) ==
        "steps[0].audience.roles[1]");
  CHECK(FieldOf(OneStep(R"("audience": {"roles": []})")) == "steps[0].audience.roles");
  CHECK(FieldOf(OneStep(R"("audience": {"roles": "responder"})")) == "steps[0].audience.roles");
  for (std::string_view role : {"responder", "verifier", "reporter", "caller", "coordinator"}) {
    CHECK(FieldOf(OneStep(R"("audience": {"roles": [")" + std::string(role) + R"("]})")) == "(ok)");
  }

  // two selectors at once: the second is named
  CHECK(FieldOf(OneStep(R"("audience": {"areas": "alert", "tree": "t"})")) ==
        "steps[0].audience.tree");
  CHECK(FieldOf(OneStep(R"("audience": {"members": [1], "areas": ["SE15"]})")) ==
        "steps[0].audience.areas");
  CHECK(MessageOf(OneStep(R"("audience": {"areas": "alert", "tree": "t"})")).find("only one") !=
        std::string::npos);

  // areas
  CHECK(FieldOf(OneStep(R"("audience": {"areas": "everywhere"})")) == "steps[0].audience.areas");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": "neighbors"})")) == "steps[0].audience.areas");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": []})")) == "steps[0].audience.areas");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": 3})")) == "steps[0].audience.areas");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": ["SE15", "a;b"]})")) ==
        "steps[0].audience.areas[1]");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": ["SE15", ""]})")) == "steps[0].audience.areas[1]");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": [")" + std::string(65, 'a') + R"("]})")) ==
        "steps[0].audience.areas[0]");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": [15]})")) == "steps[0].audience.areas[0]");
  CHECK(FieldOf(OneStep(R"("audience": {"areas": ["St. John's_1-a"]})")) ==
        "steps[0].audience.areas[0]");  // an apostrophe is not in the charset
  CHECK(FieldOf(OneStep(R"("audience": {"areas": ["St. Johns_1-a"]})")) == "(ok)");

  // tree
  CHECK(FieldOf(OneStep(R"("audience": {"tree": ""})")) == "steps[0].audience.tree");
  CHECK(FieldOf(OneStep(R"("audience": {"tree": "a/b"})")) == "steps[0].audience.tree");
  CHECK(FieldOf(OneStep(R"("audience": {"tree": 1})")) == "steps[0].audience.tree");
  CHECK(FieldOf(OneStep(R"("audience": {"tree": "t", "roles": ["caller"]})")) ==
        "steps[0].audience.roles");

  // members
  CHECK(FieldOf(OneStep(R"("audience": {"members": [3, 0]})")) == "steps[0].audience.members[1]");
  CHECK(FieldOf(OneStep(R"("audience": {"members": [-4]})")) == "steps[0].audience.members[0]");
  CHECK(FieldOf(OneStep(R"("audience": {"members": [1.5]})")) == "steps[0].audience.members[0]");
  CHECK(FieldOf(OneStep(R"("audience": {"members": ["12"]})")) == "steps[0].audience.members[0]");
  CHECK(FieldOf(OneStep(R"("audience": {"members": []})")) == "steps[0].audience.members");
  CHECK(FieldOf(OneStep(R"("audience": {"members": 12})")) == "steps[0].audience.members");
  CHECK(FieldOf(OneStep(R"("audience": {"roles": ["responder"], "members": [12]})")) ==
        "steps[0].audience.roles");
}

TEST_CASE("policy: reminder, backup and stand_down", "[policy]") {
  auto with = [](std::string_view rest) {
    return R"({"steps": [{"audience": {}}], )" + std::string(rest) + "}";
  };
  CHECK(FieldOf(with(R"("reminder": {"after": "0s"})")) == "reminder.after");
  CHECK(FieldOf(with(R"("reminder": {"after": 120})")) == "reminder.after");
  CHECK(FieldOf(with(R"("reminder": {})")) == "reminder.after");
  CHECK(FieldOf(with(R"("reminder": "2m")")) == "reminder");
  CHECK(FieldOf(with(R"("backup": {"after": "49h"})")) == "backup.after");

  // backup must come after the reminder
  CHECK(FieldOf(with(R"("reminder": {"after": "2m"}, "backup": {"after": "2m"})")) ==
        "backup.after");
  CHECK(FieldOf(with(R"("backup": {"after": "90s"}, "reminder": {"after": "2m"})")) ==
        "backup.after");
  CHECK(MessageOf(with(R"("reminder": {"after": "2m"}, "backup": {"after": "1m"})")) ==
        "must be later than reminder.after (2m)");
  CHECK(FieldOf(with(R"("reminder": {"after": "2m"}, "backup": {"after": "121s"})")) == "(ok)");
  auto backup_only = ParsePolicyText(with(R"("backup": {"after": "5m"})"));
  REQUIRE(backup_only.ok());
  CHECK(EffectiveBackupAfterMs(backup_only.value()) == 5 * kMinute);
  CheckRoundTrip(backup_only.value());

  CHECK(FieldOf(with(R"("stand_down": "yes")")) == "stand_down");
  CHECK(FieldOf(with(R"("stand_down": 1)")) == "stand_down");
}

TEST_CASE("policy: a step's audience may name organisations", "[policy][organisations]") {
  auto only = ParsePolicyText(OneStep(R"("audience": {"organisations": ["legal-b", "hackney-law", "legal-b"]})"));
  REQUIRE(only.ok());
  const auto& a = only->steps[0].audience;
  CHECK(a.scope == AreaScope::kNoMembers);  // organisations only: no member
  CHECK(a.roles.empty());
  CHECK(a.organisation_scope == OrganisationScope::kNamed);
  CHECK(a.organisations == std::vector<std::string>{"hackney-law", "legal-b"});
  CheckRoundTrip(only.value());

  auto both = ParsePolicyText(OneStep(R"("audience": {"areas": "alert", "organisations": "all"})"));
  REQUIRE(both.ok());
  CHECK(both->steps[0].audience.scope == AreaScope::kAlert);
  CHECK(both->steps[0].audience.roles == std::vector<std::string>{"responder"});
  CHECK(both->steps[0].audience.organisation_scope == OrganisationScope::kAll);
  CheckRoundTrip(both.value());

  auto coordinators = ParsePolicyText(OneStep(R"("audience": {"roles": ["coordinator"], "organisations": "all"})"));
  REQUIRE(coordinators.ok());
  CHECK(coordinators->steps[0].audience.scope == AreaScope::kNetwork);

  CHECK(FieldOf(OneStep(R"("audience": {"organisations": "some"})")) == "steps[0].audience.organisations");
  CHECK(FieldOf(OneStep(R"("audience": {"organisations": []})")) == "steps[0].audience.organisations");
  CHECK(FieldOf(OneStep(R"("audience": {"organisations": 3})")) == "steps[0].audience.organisations");
  CHECK(FieldOf(OneStep(R"("audience": {"organisations": ["ok-org", "Bad Slug"]})")) ==
        "steps[0].audience.organisations[1]");
  CHECK(FieldOf(OneStep(R"("audience": {"organisations": ["ok-org", 7]})")) == "steps[0].audience.organisations[1]");
}

TEST_CASE("policy: detention and removal reach matching organisations in their first step", "[policy][organisations]") {
  for (auto kind : {"detention", "removal"}) {
    INFO(kind);
    auto p = DefaultPolicy(kind);
    CHECK(p.steps[0].audience.organisation_scope == OrganisationScope::kAll);
    CHECK(p.steps[0].audience.scope == AreaScope::kAlert);
    for (std::size_t i = 1; i < p.steps.size(); ++i) CHECK_FALSE(p.steps[i].audience.ReachesOrganisations());
  }
  for (auto kind : {"raid", "other"}) {
    for (const auto& s : DefaultPolicy(kind).steps) CHECK_FALSE(s.audience.ReachesOrganisations());
  }
}

TEST_CASE("policy: a removal schedule parses, round-trips, names its bad field, defaults when absent", "[policy][cases]") {
  auto p = ParsePolicyText(
      R"({"steps":[{"audience":{"roles":["coordinator"]}}],)"
      R"("schedule":[{"before":"72h","audience":{"contacts":["campaign"]},"ask":"Write today."},)"
      R"({"after":"90m","audience":{"roles":["coordinator"]},"ask":"Did it leave?"}]})");
  REQUIRE(p.ok());
  REQUIRE(p->schedule);
  REQUIRE(p->schedule->size() == 2);
  CHECK((*p->schedule)[0].offset_ms == -72 * 60 * kMinute);
  CHECK((*p->schedule)[1].offset_ms == 90 * kMinute);
  CHECK(EffectiveSchedule(p.value()) == *p->schedule);
  CheckRoundTrip(p.value());
  auto bad = ParsePolicyText(R"({"steps":[{"audience":{"roles":["coordinator"]}}],)"
                             R"("schedule":[{"before":"1h","audience":{"contacts":["mp"]},"ask":"a"},)"
                             R"({"before":"24h","audience":{"contacts":["lawyer"]},"ask":"b"}]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().field.rfind("schedule[1].audience.contacts", 0) == 0);
  auto none = ParsePolicyText(R"({"steps":[{"audience":{"roles":["coordinator"]}}]})");
  REQUIRE(none.ok());
  CHECK_FALSE(none->schedule);
  CHECK(EffectiveSchedule(none.value()) == DefaultCaseSchedule());
}
