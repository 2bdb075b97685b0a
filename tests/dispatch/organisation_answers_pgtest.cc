// Organisations answering alerts with their own integration tokens, through the real binary:
// the token, the answer and its sealed note, GET responses, the counts, answer.recorded at the
// organisations' webhooks, and what such a token may not do.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "tests/support/eventually.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kDetention = R"({"kind":"detention","areas":["E8"],"location":"Colnbrook IRC"})";

std::string Responses(std::int64_t alert) { return "/v1/networks/demo/alerts/" + std::to_string(alert) + "/responses"; }

}  // namespace

TEST_CASE("Organisation answers: an organisation's token answers an alert it was sent", "[pg][webhooks][organisations]") {
  WebhookNetwork n;
  WebhookReceiver legal, bail;
  auto legal_org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law","kinds":["detention"]})");
  n.Hook(legal_org, legal, R"(["alert.raised","answer.recorded"])");
  n.Hook(n.Org(R"({"name":"Bail Circle","slug":"bail-circle"})"), bail, R"(["answer.recorded"])");
  auto responder = n.AddMember(R"({"phone":"+447700900701","areas":["E8"]})");
  (void)responder;

  // Tokens: only an integration token answers for an organisation, and only one of the network.
  auto admin = n.server->Admin();
  auto bad_role = admin.Post("/v1/networks/demo/tokens", R"({"role":"viewer","organisation":"hackney-law"})");
  CHECK(bad_role.status == 422);
  CHECK(bad_role.body.find("\"organisation\"") != std::string::npos);
  CHECK(admin.Post("/v1/networks/demo/tokens", R"({"role":"integration","organisation":"nope-org"})").status == 422);
  auto org = n.OrganisationClient("hackney-law");

  // A raid is not sent to organisations by default: hackney-law cannot even see it.
  auto raid = n.Raise(R"({"kind":"raid","areas":["E8"],"location":"Mare St"})");
  CHECK(org.Post(Responses(raid), R"({"answer":"going"})").status == 404);

  auto alert = n.Raise(kDetention);
  n.WaitCount(legal, 1, "alert.raised");
  auto bad = org.Post(Responses(alert), R"({"answer":"maybe"})");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("\"answer\"") != std::string::npos);
  CHECK(org.Post(Responses(alert), R"({"answer":"going","note":)" + std::string("\"") + std::string(500, 'x') + "\"}")
            .status == 422);
  auto answered = org.Post(Responses(alert), R"({"answer":"going","note":"solicitor on the way"})");
  INFO(answered.body);
  REQUIRE(answered.status == 201);
  CHECK(answered.Json().as_object().at("organisation").as_object().at("slug").as_string() == "hackney-law");

  // Shown with the organisation's name; counted apart from members; the note sealed at rest.
  auto list = n.c.Get(Responses(alert));
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto orgs = list.Json().as_object().at("organisation_responses").as_array();
  REQUIRE(orgs.size() == 1);
  CHECK(orgs[0].as_object().at("organisation").as_object().at("name").as_string() == "Hackney Law Centre");
  CHECK(orgs[0].as_object().at("note").as_string() == "solicitor on the way");
  auto counts = n.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object().at("counts").as_object();
  CHECK(counts.at("organisations_going").as_int64() == 1);
  CHECK(counts.at("going").as_int64() == 0);  // members going to the scene: the goal is untouched
  CHECK(n.db.Scalar("SELECT count(*) FROM organisation_responses WHERE position('solicitor'::bytea in note_enc) > 0") ==
        "0");

  // answer.recorded names the organisation, to every organisation the alert reached.
  n.WaitCount(legal, 2, "answer.recorded at hackney-law");
  n.WaitCount(bail, 1, "answer.recorded at bail-circle");
  auto data = boost::json::parse(bail.Received()[0].body).as_object().at("data").as_object();
  CHECK(data.at("answer").as_string() == "going");
  CHECK(data.at("organisation").as_object().at("slug").as_string() == "hackney-law");
  CHECK(bail.Received()[0].body.find("solicitor") == std::string::npos);

  // A change of mind: the latest answer counts.
  REQUIRE(org.Post(Responses(alert), R"({"answer":"cannot"})").status == 201);
  counts = n.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object().at("counts").as_object();
  CHECK(counts.at("organisations_going").as_int64() == 0);
  CHECK(counts.at("organisations_cannot").as_int64() == 1);
  CHECK(n.c.Get(Responses(alert) + "?answer=going").Json().as_object().at("organisation_responses").as_array().empty());

  // The token answers; it does not read, raise or manage; a coordinator cannot answer as one.
  CHECK(org.Get(Responses(alert)).status == 403);
  CHECK(org.Post("/v1/networks/demo/organisations", R"({"name":"X","slug":"x-org"})").status == 403);
  CHECK(n.c.Post(Responses(alert), R"({"answer":"going"})").status == 403);

  // Over: no more answers.
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", "{}").status == 200);
  CHECK(org.Post(Responses(alert), R"({"answer":"going"})").status == 409);
}
