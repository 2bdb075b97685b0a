// A network "demo" (number +447700900001) on a running tocsind with the sandbox SMS provider,
// for tests of what happens after an alert is raised: members, alerts, signed replies as
// members, and looks at the deliveries. The server runs on a manual clock ([testing]
// manual_clock): escalation time moves only when the test calls Advance.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_env.h"

namespace tocsin::test {

class AlertNetwork {
 public:
  static constexpr const char* kAuthToken = "test_auth_token_0123456789";
  static constexpr const char* kNumber = "+447700900001";

  // Starts the server (config: `twilio_keys` added to its [twilio] table, `extra_toml` appended)
  // and creates the network.
  explicit AlertNetwork(const std::string& extra_toml = "", const std::string& twilio_keys = "");

  // POSTs a member; returns its id (the test fails unless 201).
  std::int64_t AddMember(const std::string& json);
  // Raises an alert; returns its id (the test fails unless 201).
  std::int64_t Raise(const std::string& json = R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  // Posts `body` from `from` as Twilio would (signed; a fresh MessageSid each time).
  HttpResult Reply(const std::string& from, const std::string& body);
  // Moves the server's clock forward by `duration` ("2s", "3m") and returns once the deadlines
  // that became due have been handled (their effects are committed): the engine clock now (ms).
  std::int64_t Advance(const std::string& duration);
  // Whether the alert message itself (seq 0) was queued for the member.
  bool Contacted(std::int64_t alert, std::int64_t member);
  // How many messages of `kind` (alert, reminder, stand_down, ...) the member was queued.
  std::int64_t Messages(std::int64_t alert, std::int64_t member, const std::string& kind);

  TestDatabase db;
  std::unique_ptr<TocsindProcess> server;
  HttpClient c;

 private:
  int sid_ = 0;
};

}  // namespace tocsin::test
