// A network "demo" for tests of reports from the street (issue 12), on a running tocsind with
// the fake Twilio (which records every message it is sent) and the manual clock: areas SE15 and
// SE22 (neighbours), a reporter, two verifiers of SE15 (the first French), a verifier of SE22,
// two responders of SE15 and a coordinator; signed SMS in; the messages each number was sent;
// reports and their timelines through the API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_env.h"

namespace tocsin::test {

class ReportNetwork {
 public:
  static constexpr const char* kNumber = "+447700900001";
  static constexpr const char* kAuthToken = "fake-auth-token";
  static constexpr const char* kReporter = "+447700900501";
  static constexpr const char* kVerifier1 = "+447700900511";  // French
  static constexpr const char* kVerifier2 = "+447700900512";
  static constexpr const char* kNeighbour = "+447700900513";  // a verifier of SE22
  static constexpr const char* kResponder1 = "+447700900521";
  static constexpr const char* kResponder2 = "+447700900522";
  static constexpr const char* kCoordinator = "+447700900531";

  // `verification`: the raid policy's "verification" object (JSON), "" for the default.
  // `extra_toml`: appended to the server's configuration; `testing_toml`: lines of its
  // [testing] table (after manual_clock = true).
  explicit ReportNetwork(const std::string& verification = "", const std::string& extra_toml = "",
                         const std::string& testing_toml = "");

  // POSTs a member (`rest`: the JSON members after "phone"); returns its id.
  std::int64_t Add(const std::string& phone, const std::string& rest);
  // An SMS as Twilio would post it (signed, a fresh MessageSid); the TwiML answer.
  std::string Sms(const std::string& from, const std::string& body);
  void Advance(const std::string& by);
  // PATCH /v1/networks/demo with `json` as the network's admin (the test fails unless 200).
  void PatchNetwork(const std::string& json);
  // The messages the fake Twilio was sent to `to`, in order.
  std::vector<std::string> To(const std::string& to) const;
  void WaitFor(const std::string& to, std::size_t n, const char* what) const;
  boost::json::object Report(std::int64_t id);
  boost::json::object LatestReport();
  std::string AlertStatus(std::int64_t alert);
  // The `what` of each line of the report's timeline.
  std::vector<std::string> Timeline(std::int64_t report);
  static bool Has(const std::vector<std::string>& list, const std::string& item);

  FakeTwilio fake;
  TestDatabase db;
  TocsindProcess server;
  HttpClient c;
  std::int64_t reporter = 0, verifier1 = 0, verifier2 = 0, neighbour = 0, responder1 = 0, responder2 = 0,
               coordinator = 0;

 private:
  int sid_ = 0;
};

}  // namespace tocsin::test
