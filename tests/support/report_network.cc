#include "tests/support/report_network.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/signed_sms.h"

namespace tocsin::test {
namespace {

FakeTwilioConfig FakeConfig() {
  FakeTwilioConfig cfg;
  cfg.numbers = {ReportNetwork::kNumber};
  return cfg;
}

std::string Toml(const FakeTwilio& fake, const std::string& extra, const std::string& testing) {
  return "[testing]\nmanual_clock = true\n" + testing + "[sms]\nprovider = \"twilio\"\n[twilio]\n"
         "account_sid = \"AC00000000000000000000000000000000\"\nauth_token = \"" +
         ReportNetwork::kAuthToken + "\"\napi_base = \"" + fake.BaseUrl() +
         "\"\ndefault_segments_per_second = 100\n" + extra;
}

// Starts the server; a coordinator of network demo.
HttpClient Started(TocsindProcess& s) {
  s.Start();
  return s.Client(CreateNetworkWithToken(s, "demo", "coordinator", ReportNetwork::kNumber));
}

}  // namespace

ReportNetwork::ReportNetwork(const std::string& verification, const std::string& extra_toml,
                             const std::string& testing_toml)
    : fake(FakeConfig()), server(db, Toml(fake, extra_toml, testing_toml)), c(Started(server)) {
  REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
  REQUIRE(c.Put("/v1/networks/demo/areas/SE22", R"({"neighbours":["SE15"]})").status == 200);
  reporter = Add(kReporter, R"("roles":["reporter"],"areas":["SE15"])");
  verifier1 = Add(kVerifier1, R"("roles":["verifier"],"areas":["SE15"],"language":"fr")");
  verifier2 = Add(kVerifier2, R"("roles":["verifier"],"areas":["SE15"])");
  neighbour = Add(kNeighbour, R"("roles":["verifier"],"areas":["SE22"])");
  responder1 = Add(kResponder1, R"("roles":["responder"],"areas":["SE15"])");
  responder2 = Add(kResponder2, R"("roles":["responder"],"areas":["SE15"])");
  coordinator = Add(kCoordinator, R"("roles":["coordinator"],"areas":["E1"])");
  if (!verification.empty()) {
    auto put = c.Put("/v1/networks/demo/policies/raid",
                     R"({"steps":[{"audience":{},"channel":"sms"}],"verification":)" + verification + "}");
    INFO(put.body);
    REQUIRE(put.status == 200);
  }
}

std::int64_t ReportNetwork::Add(const std::string& phone, const std::string& rest) {
  auto r = c.Post("/v1/networks/demo/members", R"({"phone":")" + phone + R"(",)" + rest + "}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

std::string ReportNetwork::Sms(const std::string& from, const std::string& body) {
  auto r = PostSignedSms(server, kAuthToken, {"SMin" + std::to_string(++sid_), from, kNumber, body});
  REQUIRE(r.status == 200);
  return r.body;
}

void ReportNetwork::Advance(const std::string& by) {
  REQUIRE(server.Admin().Post("/v1/admin/clock", R"({"advance":")" + by + R"("})").status == 200);
}

void ReportNetwork::PatchNetwork(const std::string& json) {
  auto token = server.Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin"})");
  REQUIRE(token.status == 201);
  auto r = server.Client(std::string(token.Json().as_object().at("token").as_string())).Patch("/v1/networks/demo", json);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

std::vector<std::string> ReportNetwork::To(const std::string& to) const {
  std::vector<std::string> out;
  for (const auto& m : fake.Messages()) {
    if (m.to == to) out.push_back(m.body);
  }
  return out;
}

void ReportNetwork::WaitFor(const std::string& to, std::size_t n, const char* what) const {
  Eventually([&] { return To(to).size() >= n; }, what);
}

boost::json::object ReportNetwork::Report(std::int64_t id) {
  return c.Get("/v1/networks/demo/reports/" + std::to_string(id)).Json().as_object();
}

boost::json::object ReportNetwork::LatestReport() {
  auto list = c.Get("/v1/networks/demo/reports").Json().as_object().at("reports").as_array();
  REQUIRE(!list.empty());
  return list[0].as_object();
}

std::string ReportNetwork::AlertStatus(std::int64_t alert) {
  return db.Scalar("SELECT status FROM alerts WHERE id = " + std::to_string(alert));
}

std::vector<std::string> ReportNetwork::Timeline(std::int64_t report) {
  std::vector<std::string> out;
  const auto body = Report(report);  // kept alive: the loop walks into it
  for (const auto& e : body.at("timeline").as_array()) out.emplace_back(e.as_object().at("what").as_string());
  return out;
}

bool ReportNetwork::Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace tocsin::test
