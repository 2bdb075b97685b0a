// A network "demo" whose calls go to the fake Twilio (tests/fakes), for the [voice] pg tests:
// the fake first (its URL is in the server's config), then an AlertNetwork on provider twilio
// at 50 calls per second. Also: the network admin's client, signed posts as Twilio's (the
// hotline), and a TwiML reader.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/support/alert_network.h"

namespace tocsin::test {

inline FakeTwilioConfig VoiceFakeConfig() {
  FakeTwilioConfig cfg;
  cfg.auth_token = AlertNetwork::kAuthToken;
  cfg.numbers = {AlertNetwork::kNumber};
  return cfg;
}

struct VoiceNetwork {
  VoiceNetwork()
      : net("[sms]\nprovider = \"twilio\"\n", "account_sid = \"" + FakeTwilioConfig{}.account_sid +
                                                   "\"\napi_base = \"" + fake.BaseUrl() + "\"\ncalls_per_second = 50\n") {}

  std::string Scalar(const std::string& sql) { return net.db.Scalar(sql); }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(net.server->port()) + path; }
  // A client with a fresh token of role admin in the network (it may PATCH it, upload recordings).
  HttpClient Admin() {
    auto t = net.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin"})");
    REQUIRE(t.status == 201);
    return net.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  }

  // The server's own base URL ("http://127.0.0.1:PORT"), as Twilio calls it.
  std::string Base() const { return Url(""); }
  // POSTs `params` to `url` (absolute, on this server) signed as Twilio would (or badly).
  HttpResult PostSigned(const std::string& url, const FormParams& params, bool signed_ = true) {
    return net.c.Send("POST", url.substr(Base().size()), FormUrlEncode(params),
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"X-Twilio-Signature", signed_ ? TwilioSignature(AlertNetwork::kAuthToken, url, params) : "x"}});
  }
  // A call from `from` into the network's number (the hotline): the TwiML it hears first.
  HttpResult CallIn(const std::string& from, bool signed_ = true) {
    return PostSigned(Base() + "/twilio/voice",
                      {{"CallSid", "CAin" + from.substr(8)}, {"From", from}, {"To", AlertNetwork::kNumber}}, signed_);
  }

  FakeTwilio fake{VoiceFakeConfig()};  // before net: its URL is in the server's config
  AlertNetwork net;
};

// The text between `open` and the next `close` after it ("" when absent): a URL out of TwiML.
inline std::string Between(const std::string& s, const std::string& open, const std::string& close) {
  auto at = s.find(open);
  if (at == std::string::npos) return "";
  at += open.size();
  return s.substr(at, s.find(close, at) - at);
}

}  // namespace tocsin::test
