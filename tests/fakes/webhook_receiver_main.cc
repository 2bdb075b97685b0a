// webhook_receiver: a partner's webhook endpoint as a process, for the quickstart's --demo.
//
//   webhook_receiver [--port N] --secret-file FILE
//
// Listens on 127.0.0.1 (port 0: the OS picks one) and prints "listening PORT" once it accepts
// connections. Every request is checked as a partner would (Standard Webhooks, with OpenSSL, not
// Tocsin's code) against the secrets in FILE (whsec_..., one a line; read at every request, so
// the quickstart can write it after creating the webhook), then one line is printed:
//   webhook alert.raised K7Q4 id=msg_... signature ok
// and it is answered 200, or "signature FAILED" and 401 (Tocsin retries it later). Only the
// event type, the alert code and the webhook-id are printed, never the alert's location or
// details. Runs until SIGTERM or SIGINT, then prints {"received":N,"verified":N} and exits 0.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "tests/fakes/fake_process.h"
#include "tests/fakes/webhook_receiver.h"

namespace {

namespace json = boost::json;

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "webhook_receiver: %s\n"
               "usage: webhook_receiver [--port N] --secret-file FILE\n",
               why);
  std::exit(2);
}

// The non-empty lines of `path` (none if it cannot be read yet).
std::vector<std::string> ReadSecrets(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// "alert.raised K7Q4" from a body {"type": ..., "data": {"alert": {"code": ...}}}; "?" for
// what is missing.
std::string Describe(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  std::string type = "?", code = "?";
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (auto* t = o.if_contains("type"); t && t->is_string()) type = std::string(t->as_string());
    const auto* data = o.if_contains("data");
    const auto* alert = data && data->is_object() ? data->as_object().if_contains("alert") : nullptr;
    const auto* c = alert && alert->is_object() ? alert->as_object().if_contains("code") : nullptr;
    if (c && c->is_string()) code = std::string(c->as_string());
  }
  return type + " " + code;
}

}  // namespace

int main(int argc, char** argv) {
  tocsin::test::ReceiverOptions options;
  std::string secret_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&] { return tocsin::fake::FlagValue(argc, argv, i, Usage); };
    if (arg == "--port") {
      options.port = tocsin::fake::PortFlag(value(), Usage);
    } else if (arg == "--secret-file") {
      secret_file = value();
    } else if (arg == "--help" || arg == "-h") {
      Usage("help");
    } else {
      Usage((std::string("unknown argument ") + argv[i]).c_str());
    }
  }
  if (secret_file.empty()) Usage("--secret-file is required");

  options.secrets = [secret_file] { return ReadSecrets(secret_file); };
  options.reject_unverified = true;
  options.on_received = [](const tocsin::test::ReceivedWebhook& w) {
    std::printf("webhook %s id=%s %s\n", Describe(w.body).c_str(), w.id.c_str(),
                w.verified ? "signature ok" : "signature FAILED (answered 401)");
    std::fflush(stdout);
  };

  const sigset_t signals = tocsin::fake::BlockStopSignals();  // before any thread starts
  try {
    tocsin::test::WebhookReceiver receiver(options);
    std::printf("listening %u\n", static_cast<unsigned>(receiver.port()));
    std::fflush(stdout);
    tocsin::fake::WaitForStop(signals);
    std::size_t verified = 0;
    const auto received = receiver.Received();
    for (const auto& w : received) verified += w.verified ? 1 : 0;
    std::printf("{\"received\":%zu,\"verified\":%zu}\n", received.size(), verified);
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "webhook_receiver: %s\n", e.what());
    return 1;
  }
  return 0;
}
