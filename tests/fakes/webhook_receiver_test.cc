// The webhook receiver's own signature check against the Standard Webhooks test vector, and the
// receiver program (the quickstart's --demo receiver) run as the quickstart runs it: its secret
// file written after it started, requests signed by Tocsin's signer, a forged one refused.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "dispatch/util/standard_webhooks.h"
#include "tests/fakes/webhook_receiver.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/spawn.h"

using namespace tocsin;
using namespace tocsin::test;
namespace fs = std::filesystem;

namespace {

// The test vector of the Standard Webhooks reference libraries.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kTimestamp = "1614265330";
constexpr const char* kBody = R"({"test": 2432232314})";
constexpr const char* kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

constexpr const char* kEvent =
    R"({"type":"alert.raised","timestamp":"2026-12-01T07:00:00Z","data":{"network":"demo",)"
    R"("alert":{"id":1,"code":"K7Q4","kind":"detention","location":"Colnbrook IRC"}}})";

// Posts `body` to the receiver as Tocsin would, signed with `secret`.
HttpResult PostSigned(const HttpClient& c, const std::string& secret, const std::string& id, const std::string& body) {
  const std::int64_t now = std::time(nullptr);
  const auto key = WebhookSecretKey(secret);
  REQUIRE(key);
  return c.Send("POST", "/hook", body,
                {{"Content-Type", "application/json"},
                 {"webhook-id", id},
                 {"webhook-timestamp", std::to_string(now)},
                 {"webhook-signature", SignWebhook(*key, id, now, body)}});
}

}  // namespace

TEST_CASE("Webhook receiver: its own check accepts the Standard Webhooks test vector, and nothing altered",
          "[webhook_receiver]") {
  CHECK(ReceiverSignatureMatches({kSecret}, kId, kTimestamp, kBody, kSignature));
  CHECK(ReceiverSignatureMatches({"whsec_other0000000000000000000000", kSecret}, kId, kTimestamp, kBody,
                                 "v0,abc " + std::string(kSignature)));
  CHECK_FALSE(ReceiverSignatureMatches({kSecret}, kId, kTimestamp, R"({"test": 2432232315})", kSignature));
  CHECK_FALSE(ReceiverSignatureMatches({kSecret}, "msg_other", kTimestamp, kBody, kSignature));
  CHECK(ReceiverSign(kSecret, kId, kTimestamp, kBody) == kSignature);
}

TEST_CASE("Webhook receiver program: prints each delivery's type, code and signature check; refuses a forgery",
          "[webhook_receiver]") {
  const fs::path dir = fs::temp_directory_path() / ("webhook_receiver_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "out.log").string(), secret_file = (dir / "secret").string();
  const pid_t pid = Spawn({WEBHOOK_RECEIVER_PATH, "--port", "0", "--secret-file", secret_file}, {}, out,
                          (dir / "err.log").string());
  std::string port;
  Eventually(
      [&] {
        const std::string text = ReadFile(out);
        const auto at = text.find("listening ");
        if (at == std::string::npos || text.find('\n', at) == std::string::npos) return false;
        port = text.substr(at + 10, text.find('\n', at) - at - 10);
        return true;
      },
      "the receiver listening");
  HttpClient c("http://127.0.0.1:" + port);

  // The quickstart writes the secret once the webhook exists, after the receiver started.
  const std::string secret = NewWebhookSecret();
  std::ofstream(secret_file) << secret << "\n";
  auto good = PostSigned(c, secret, "msg_good", kEvent);
  CHECK(good.status == 200);
  auto forged = PostSigned(c, NewWebhookSecret(), "msg_forged", kEvent);
  CHECK(forged.status == 401);

  // Each line is printed before the request is answered.
  const std::string text = ReadFile(out);
  CHECK(text.find("webhook alert.raised K7Q4 id=msg_good signature ok\n") != std::string::npos);
  CHECK(text.find("webhook alert.raised K7Q4 id=msg_forged signature FAILED (answered 401)\n") != std::string::npos);
  CHECK(text.find("Colnbrook") == std::string::npos);  // never the alert's location

  ::kill(pid, SIGTERM);
  CHECK(WaitExit(pid) == 0);
  CHECK(ReadFile(out).find(R"({"received":2,"verified":1})") != std::string::npos);
  fs::remove_all(dir);
}
