// Phone trees through the real binary: the trees API and its validation, automated and relay
// runs, repair of a dead node (backup, then its children directly), the goal "every branch
// confirmed", and the alert's tree report. The server runs on a manual clock: tests move time
// through the tree waits (one second) with AlertNetwork::Advance.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

// root (backup: spare) -> {left, right}; left -> {leaf}. Nobody is in an area: only the tree
// reaches them.
struct Fixture : AlertNetwork {
  using AlertNetwork::AlertNetwork;
  std::int64_t root = AddMember(R"({"phone":"+447700900501"})");
  std::int64_t left = AddMember(R"({"phone":"+447700900502"})");
  std::int64_t right = AddMember(R"({"phone":"+447700900503"})");
  std::int64_t leaf = AddMember(R"({"phone":"+447700900504"})");
  std::int64_t spare = AddMember(R"({"phone":"+447700900505"})");

  std::string Nodes() {
    auto id = [](std::int64_t v) { return std::to_string(v); };
    return R"([{"member":)" + id(root) + R"(,"backup":)" + id(spare) + R"(,"children":[)" + id(left) + "," +
           id(right) + R"(]},{"member":)" + id(left) + R"(,"children":[)" + id(leaf) + "]}]";
  }
  // Puts tree "street" in `mode` and a raid policy whose one step is that tree, watched until
  // every branch confirms.
  void UseTree(const std::string& mode) {
    auto put = c.Put("/v1/networks/demo/trees/street",
                     R"({"mode":")" + mode + R"(","wait":"1s","nodes":)" + Nodes() + "}");
    INFO(put.body);
    REQUIRE(put.status == 200);
    REQUIRE(c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
        {"audience":{"tree":"street"},"channel":"sms","until":{"confirmed":true}}]})").status == 200);
  }
  std::string NodeState(std::int64_t alert, std::int64_t member) {
    return db.Scalar("SELECT state || coalesce(':' || via, '') FROM tree_run_nodes WHERE alert_id = " +
                     std::to_string(alert) + " AND member_id = " + std::to_string(member));
  }
  boost::json::object Report(std::int64_t alert) {
    auto r = c.Get("/v1/networks/demo/alerts/" + std::to_string(alert) + "/tree");
    REQUIRE(r.status == 200);
    return r.Json().as_object().at("trees").as_array().at(0).as_object();
  }
};

}  // namespace

TEST_CASE("trees: stored whole, validated on write", "[pg][trees]") {
  Fixture f;
  auto put = f.c.Put("/v1/networks/demo/trees/street", R"({"mode":"relay","nodes":)" + f.Nodes() + "}");
  INFO(put.body);
  REQUIRE(put.status == 200);
  auto tree = f.c.Get("/v1/networks/demo/trees/street").Json().as_object();
  CHECK(tree.at("mode") == "relay");
  CHECK(tree.at("wait") == "2m");  // the default
  CHECK(tree.at("nodes").as_array().size() == 4);  // the leaf is a node of its own
  CHECK(f.c.Get("/v1/networks/demo/trees").Json().as_object().at("trees").as_array().size() == 1);

  struct Case {
    std::string body, field;
  };
  auto root = std::to_string(f.root), left = std::to_string(f.left);
  for (const auto& bad : {
           Case{R"({"mode":"relay","nodes":[{"member":999999}]})", "nodes"},  // not a member here
           Case{R"({"mode":"loud","nodes":[{"member":)" + root + "}]}", "mode"},
           Case{R"({"mode":"relay","nodes":[{"member":)" + root + R"(,"children":[)" + left + R"(]},{"member":)" +
                    left + R"(,"children":[)" + root + "]}]}",
                "nodes"},  // a cycle
           Case{R"({"mode":"relay","nodes":[{"member":)" + root + R"(,"backup":)" + root + "}]}",
                "nodes[0].backup"},
       }) {
    auto r = f.c.Put("/v1/networks/demo/trees/street", bad.body);
    INFO(bad.body << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.Json().as_object().at("error").as_object().at("field") == bad.field.c_str());
  }
  // Bad writes changed nothing.
  CHECK(f.c.Get("/v1/networks/demo/trees/street").Json().as_object().at("nodes").as_array().size() == 4);
  CHECK(f.c.Delete("/v1/networks/demo/trees/street").status == 204);
  CHECK(f.c.Get("/v1/networks/demo/trees/street").status == 404);
}

TEST_CASE("trees: automated, each level on an answer or when the wait passes; a dead root's "
          "children are still reached", "[pg][trees]") {
  Fixture f;
  f.UseTree("automated");
  auto alert = f.Raise();
  CHECK(f.Contacted(alert, f.root));
  CHECK_FALSE(f.Contacted(alert, f.left));
  // The root stays silent: after its wait its backup is tried and the next level goes ahead.
  f.Advance("1s");
  CHECK((f.Contacted(alert, f.left) && f.Contacted(alert, f.right)));  // the second level
  CHECK(f.Contacted(alert, f.spare));
  CHECK(f.NodeState(alert, f.root) == "backup");
  // left answers at once: its child is contacted without waiting.
  f.Reply("+447700900502", "1");
  Eventually([&] { return f.Contacted(alert, f.leaf); }, "the leaf after left answered");
  CHECK(f.NodeState(alert, f.left) == "reached:member");
  // The backup stays silent too: the root is given up.
  f.Advance("1s");
  CHECK(f.NodeState(alert, f.root) == "dead");
  auto report = f.Report(alert);
  CHECK(report.at("mode") == "automated");
  CHECK(report.at("total") == 4);
  CHECK(report.at("counts").as_object().at("dead") == 3);  // the root, the silent right and leaf
  CHECK(report.at("share_reached").as_double() == Approx(0.25));
}

TEST_CASE("trees: relay, branches confirm with 1 and the unconfirmed are contacted directly",
          "[pg][trees]") {
  Fixture f;
  f.UseTree("relay");
  auto alert = f.Raise();
  f.Reply("+447700900501", "1");  // the root answers: now they phone left and right
  Eventually([&] { return f.NodeState(alert, f.left) == "waiting"; }, "left waits for the root's call");
  f.Reply("+447700900502", "1");  // left confirms, never messaged by Tocsin
  Eventually([&] { return f.NodeState(alert, f.left) == "reached:relay"; }, "left confirmed");
  CHECK_FALSE(f.Contacted(alert, f.left));
  // right never confirms: Tocsin contacts them after the wait.
  CHECK_FALSE(f.Contacted(alert, f.right));
  f.Advance("1s");
  CHECK(f.Contacted(alert, f.right));  // contacted directly
  CHECK(f.NodeState(alert, f.right) == "contacted");
  CHECK_FALSE(f.Contacted(alert, f.spare));  // the root answered: no backup
  // Everyone confirms: the goal "every branch confirmed" ends the escalation.
  f.Reply("+447700900503", "1");
  f.Reply("+447700900504", "2");  // can't go, but the message reached them
  Eventually([&] {
    return f.db.Scalar("SELECT state FROM escalations WHERE alert_id = " + std::to_string(alert)) == "goal_met";
  }, "every branch confirmed");
  auto report = f.Report(alert);
  CHECK(report.at("share_reached").as_double() == Approx(1.0));
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'pending'") == "0");
}

TEST_CASE("trees: no_answer counts every node owing an answer, relay nodes never messaged too "
          "(issue 9, defect 7)", "[pg][trees]") {
  Fixture f;
  f.UseTree("relay");
  auto alert = f.Raise();
  auto counts = [&] {
    return f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object().at("counts").as_object();
  };
  CHECK(counts().at("no_answer") == 1);  // the root, messaged
  f.Reply("+447700900501", "1");  // the root answers and phones left and right
  f.Reply("+447700900502", "1");  // left confirms; right never does, nor the leaf left should call
  Eventually([&] { return f.NodeState(alert, f.left) == "reached:relay"; }, "left confirmed");
  auto c = counts();
  CHECK(c.at("going") == 2);
  CHECK(c.at("no_answer") == 2);  // right and the leaf, waiting for their call
  // Their wait passes: Tocsin messages them, and they still have not answered.
  f.Advance("1s");
  CHECK((f.Contacted(alert, f.right) && f.Contacted(alert, f.leaf)));
  c = counts();
  CHECK(c.at("going") == 2);
  CHECK(c.at("no_answer") == 2);
  f.Reply("+447700900503", "2");
  Eventually([&] { return counts().at("cannot") == 1; }, "right's answer");
  CHECK(counts().at("no_answer") == 1);  // the leaf
  // The alert list counts the same way.
  auto listed = f.c.Get("/v1/networks/demo/alerts").Json().as_object().at("alerts").as_array().at(0).as_object();
  CHECK(listed.at("counts").as_object().at("no_answer") == 1);
}

TEST_CASE("trees: relay, a dead node (member and backup silent) has its children contacted",
          "[pg][trees]") {
  Fixture f;
  f.UseTree("relay");
  auto alert = f.Raise();
  f.Advance("1s");
  CHECK(f.Contacted(alert, f.spare));       // the root's backup
  CHECK_FALSE(f.Contacted(alert, f.left));  // relay: the children wait while the backup may call
  f.Advance("1s");
  CHECK((f.Contacted(alert, f.left) && f.Contacted(alert, f.right)));  // the dead root's children, directly
  CHECK(f.NodeState(alert, f.root) == "dead");
  // Resolving stops the tree.
  REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", "{}").status == 200);
  f.Advance("10s");
  CHECK_FALSE(f.Contacted(alert, f.leaf));
}

TEST_CASE("trees: a node whose message fails is repaired at once, not after its wait",
          "[pg][trees][twilio]") {
  FakeTwilioConfig cfg;
  cfg.numbers = {AlertNetwork::kNumber};
  cfg.auth_token = AlertNetwork::kAuthToken;
  FakeTwilio fake(cfg);
  fake.SetPermanentError("+447700900501", 21211);  // the root's number is not a phone
  Fixture f("[sms]\nprovider = \"twilio\"\n",
            "account_sid = \"" + cfg.account_sid + "\"\napi_base = \"" + fake.BaseUrl() + "\"\n");
  auto put = f.c.Put("/v1/networks/demo/trees/street", R"({"mode":"relay","wait":"10m","nodes":)" + f.Nodes() + "}");
  REQUIRE(put.status == 200);
  // The root as a member also has a backup of their own (right), called after 10 minutes of
  // silence — or at once when their message fails.
  REQUIRE(f.c.Patch("/v1/networks/demo/members/" + std::to_string(f.root),
                    R"({"backup":)" + std::to_string(f.right) + "}").status == 200);
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"tree":"street"},"channel":"sms"}], "reminder":{"after":"5m"}, "backup":{"after":"10m"}})")
              .status == 200);
  auto alert = f.Raise();
  // Ten minutes' wait, yet the backups are contacted within seconds of the failure.
  Eventually([&] { return f.Contacted(alert, f.spare); }, "the node's backup", std::chrono::seconds(10));
  Eventually([&] { return f.Contacted(alert, f.right); }, "the member's backup", std::chrono::seconds(10));
  CHECK(f.NodeState(alert, f.root) == "backup");
  CHECK_FALSE(f.Contacted(alert, f.left));
  CHECK(f.db.Scalar("SELECT state FROM deliveries WHERE seq = 0 AND member_id = " + std::to_string(f.root)) ==
        "failed");
}

TEST_CASE("trees: a policy may only name trees and members that exist", "[pg][trees]") {
  Fixture f;
  auto put = [&](const std::string& audience) {
    return f.c.Put("/v1/networks/demo/policies/raid",
                   R"({"steps":[{"audience":)" + audience + R"(,"channel":"sms"}]})");
  };
  auto r = put(R"({"tree":"nowhere"})");
  CHECK(r.status == 422);
  CHECK(r.Json().as_object().at("error").as_object().at("field") == "steps[0].audience.tree");
  r = put(R"({"members":[999999]})");
  CHECK(r.status == 422);
  CHECK(r.Json().as_object().at("error").as_object().at("field") == "steps[0].audience.members");
  CHECK(f.c.Get("/v1/networks/demo/policies/raid").Json().as_object().at("default") == true);  // unchanged
  REQUIRE(f.c.Put("/v1/networks/demo/trees/street", R"({"mode":"automated","nodes":)" + f.Nodes() + "}").status == 200);
  CHECK(put(R"({"tree":"street"})").status == 200);
  CHECK(put(R"({"members":[)" + std::to_string(f.root) + "]}").status == 200);
}

TEST_CASE("trees: what a policy or a tree names cannot be deleted from under it (issue 9, defect 2)",
          "[pg][trees]") {
  Fixture f;
  f.UseTree("automated");  // the raid policy's one step is tree "street"
  auto del = f.c.Delete("/v1/networks/demo/trees/street");
  INFO(del.body);
  CHECK(del.status == 409);
  CHECK(del.ErrorField() == "name");
  CHECK(del.body.find("raid") != std::string::npos);
  CHECK(f.c.Get("/v1/networks/demo/trees/street").status == 200);  // unchanged
  // A member in the tree (a node, or a node's backup) cannot be deleted either.
  for (auto member : {f.leaf, f.spare}) {
    auto r = f.c.Delete("/v1/networks/demo/members/" + std::to_string(member));
    CHECK(r.status == 409);
    CHECK(r.body.find("street") != std::string::npos);
  }
  // Nor one a policy names.
  auto outsider = f.AddMember(R"({"phone":"+447700900599"})");
  REQUIRE(f.c.Put("/v1/networks/demo/policies/detention",
                  R"({"steps":[{"audience":{"members":[)" + std::to_string(outsider) + R"(]},"channel":"sms"}]})")
              .status == 200);
  auto r = f.c.Delete("/v1/networks/demo/members/" + std::to_string(outsider));
  CHECK(r.status == 409);
  CHECK(r.body.find("detention") != std::string::npos);
  // Once the policy no longer names the tree, it goes.
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[{"audience":{},"channel":"sms"}]})").status == 200);
  CHECK(f.c.Delete("/v1/networks/demo/trees/street").status == 204);
}

TEST_CASE("alerts: an alert that reaches nobody still stands, and says why (issue 9, defect 2)",
          "[pg][alerts]") {
  Fixture f;
  auto r = f.c.Post("/v1/networks/demo/alerts", R"({"kind":"other","areas":["N1"],"location":"Nowhere"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto o = r.Json().as_object();
  CHECK(o.at("recipients") == 0);
  REQUIRE(o.contains("warnings"));
  auto w = std::string(o.at("warnings").as_array().at(0).as_string());
  CHECK(w.find("nobody was reached") != std::string::npos);
  CHECK(w.find("N1") != std::string::npos);
  // Kept with the alert, for whoever reads it later.
  auto id = o.at("id").as_int64();
  auto got = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(id)).Json().as_object();
  REQUIRE(got.at("warnings").as_array().size() == 1);
  CHECK(got.at("warnings").as_array().at(0) == o.at("warnings").as_array().at(0));
  // A later step that reaches nobody says so too.
  REQUIRE(f.c.Put("/v1/networks/demo/policies/detention", R"({"steps":[
      {"audience":{"areas":"alert"},"channel":"sms","wait":"1m"},
      {"audience":{"areas":["E8"]},"channel":"sms"}]})").status == 200);
  f.AddMember(R"({"phone":"+447700900601","areas":["SE5"]})");
  auto d = f.c.Post("/v1/networks/demo/alerts", R"({"kind":"detention","areas":["SE5"],"location":"Yarl's Wood"})");
  REQUIRE(d.status == 201);
  CHECK_FALSE(d.Json().as_object().contains("warnings"));
  auto did = std::to_string(d.Json().as_object().at("id").as_int64());
  f.Advance("1m");
  auto later = f.c.Get("/v1/networks/demo/alerts/" + did).Json().as_object().at("warnings").as_array();
  REQUIRE(later.size() == 1);
  CHECK(std::string(later.at(0).as_string()).starts_with("step 2: nobody was reached"));
  CHECK(std::string(later.at(0).as_string()).find("E8") != std::string::npos);
  // An alert that reaches someone has no warnings.
  f.AddMember(R"({"phone":"+447700900600","areas":["SE15"]})");
  auto ok = f.c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  CHECK_FALSE(ok.Json().as_object().contains("warnings"));
}
