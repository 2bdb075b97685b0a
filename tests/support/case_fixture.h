// A network for case tests (issue 13): its SMS go to a fake Twilio, its emails to a fake SMTP
// relay, its webhooks to loopback (WebhookNetwork: manual clock), with helpers to add cases,
// contacts, events and the supporters' phone tree, and to read what each number was sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/fakes/fake_smtp.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/fakes/webhook_receiver.h"
#include "tests/support/eventually.h"
#include "tests/support/webhook_network.h"

namespace tocsin::test {

inline FakeTwilioConfig CaseTwilioConfig() {
  FakeTwilioConfig cfg;
  cfg.numbers = {AlertNetwork::kNumber};
  cfg.auth_token = AlertNetwork::kAuthToken;
  return cfg;
}

struct CaseFixture {
  FakeSmtp smtp{{}};
  FakeTwilio twilio{CaseTwilioConfig()};
  WebhookNetwork n{"[sms]\nprovider = \"twilio\"\n" + std::string(kWebhooksToml) + "[email]\nsmtp_url = \"" +
                       smtp.Url() + "\"\nstarttls = \"off\"\nfrom = \"alerts@tocsin.example.org\"\n",
                   "account_sid = \"" + CaseTwilioConfig().account_sid + "\"\napi_base = \"" + twilio.BaseUrl() +
                       "\"\n"};

  // Every SMS sent to `to` so far, oldest first.
  std::vector<std::string> To(const std::string& to) {
    std::vector<std::string> out;
    for (const auto& m : twilio.Messages()) {
      if (m.to == to) out.push_back(m.body);
    }
    return out;
  }
  // The first SMS to `to`, once sent.
  std::string FirstTo(const std::string& to) {
    Eventually([&] { return !To(to).empty(); }, "an SMS is sent");
    return To(to).front();
  }

  std::int64_t Case(const std::string& json) {
    auto r = n.c.Post("/v1/networks/demo/cases", json);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  void Contact(std::int64_t id, const std::string& json) {
    auto r = n.c.Post("/v1/networks/demo/cases/" + std::to_string(id) + "/contacts", json);
    INFO(r.body);
    REQUIRE(r.status == 201);
  }
  HttpResult Event(std::int64_t id, const std::string& json) {
    return n.c.Post("/v1/networks/demo/cases/" + std::to_string(id) + "/events", json);
  }
  // Posts `body` to the network's inbound source `source` as a partner's system would: signed
  // with `secret` (Standard Webhooks), webhook-id `webhook_id`, timestamped now.
  HttpResult Inbound(const std::string& source, const std::string& secret, const std::string& webhook_id,
                     const std::string& body) {
    const auto ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    return n.server->Client().Send("POST", "/v1/networks/demo/inbound/" + source, body,
                                   {{"Content-Type", "application/json"},
                                    {"webhook-id", webhook_id},
                                    {"webhook-timestamp", ts},
                                    {"webhook-signature", ReceiverSign(secret, webhook_id, ts, body)}});
  }
  void Tree(std::int64_t member) {
    REQUIRE(n.c.Put("/v1/networks/demo/trees/supporters",
                    R"({"mode":"automated","wait":"1m","nodes":[{"member":)" + std::to_string(member) + "}]}")
                .status == 200);
  }
};

inline bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A text that says nothing of the test cases' case ("A.", ref H1234567, held at Colnbrook, its
// flight): what a contact without consent may be sent.
inline void CheckNothingOfCase(const std::string& text) {
  INFO(text);
  CHECK(Has(text, "a case of yours needs attention"));
  CHECK_FALSE(Has(text, "A."));
  CHECK_FALSE(Has(text, "H1234567"));
  CHECK_FALSE(Has(text, "Colnbrook"));
  CHECK_FALSE(Has(text, "flight"));
}

}  // namespace tocsin::test
