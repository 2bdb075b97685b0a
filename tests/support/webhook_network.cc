#include "tests/support/webhook_network.h"

#include <catch2/catch.hpp>

#include "tests/support/eventually.h"

namespace tocsin::test {

std::int64_t WebhookNetwork::Org(const std::string& json) {
  auto r = c.Post("/v1/networks/demo/organisations", json);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

std::int64_t WebhookNetwork::Hook(std::int64_t org, WebhookReceiver& rx, const std::string& events) {
  auto r = c.Post(Path(org), R"({"url":")" + rx.Url() + R"(","events":)" + events + "}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto w = r.Json().as_object();
  rx.SetSecrets({std::string(w.at("secret").as_string())});
  return w.at("id").as_int64();
}

std::string WebhookNetwork::Path(std::int64_t org) {
  return "/v1/networks/demo/organisations/" + std::to_string(org) + "/webhooks";
}

std::string WebhookNetwork::DeliveryState(std::int64_t endpoint) {
  return db.Scalar("SELECT string_agg(state || ':' || attempts, ',' ORDER BY id) FROM deliveries WHERE endpoint_id = " +
                   std::to_string(endpoint));
}

void WebhookNetwork::WaitCount(WebhookReceiver& rx, std::size_t n, const char* what) {
  Eventually([&] { return rx.Count() >= n; }, what);
}

HttpClient WebhookNetwork::OrganisationClient(const std::string& slug) {
  auto r = server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"integration","organisation":")" + slug + "\"}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.Json().as_object().at("organisation").as_string() == slug);
  return c.WithToken(std::string(r.Json().as_object().at("token").as_string()));
}

}  // namespace tocsin::test
