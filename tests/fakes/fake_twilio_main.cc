// fake_twilio: the FakeTwilio server as a process, for benchmarks against a separate tocsind.
//
//   fake_twilio --sid AC... --token T --numbers +447700900001,+447700900002
//               [--port N] [--latency-ms N] [--rate SEGMENTS_PER_SECOND | --no-limit]
//               [--threads N] [--auto-callbacks SENT_MS,DELIVERED_MS]
//
// Prints "listening PORT" once it accepts connections, runs until SIGTERM or SIGINT, then
// prints one JSON line of statistics (requests, accepted, rejected, hung, violations per From,
// accepted and segments per From) and exits 0. The default rate is 10 segments per second per
// sender (a long code sending abroad); --no-limit disables rate accounting.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/fake_process.h"
#include "tests/fakes/fake_twilio.h"

namespace {

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "fake_twilio: %s\n"
               "usage: fake_twilio --sid AC... --token T --numbers +44...,+44... [--port N]\n"
               "       [--latency-ms N] [--rate N | --no-limit] [--threads N]\n"
               "       [--auto-callbacks SENT_MS,DELIVERED_MS]\n",
               why);
  std::exit(2);
}

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

long Number(const char* text, const char* flag) {
  return tocsin::fake::NumberFlag(text, flag, Usage);
}

}  // namespace

int main(int argc, char** argv) {
  tocsin::FakeTwilioConfig config;
  config.segments_per_second = 10;
  config.account_sid.clear();
  config.auth_token.clear();
  long latency_ms = 0;
  bool auto_callbacks = false;
  long sent_ms = 0, delivered_ms = 0;

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&] { return tocsin::fake::FlagValue(argc, argv, i, Usage); };
    if (arg == "--port") {
      config.port = tocsin::fake::PortFlag(value(), Usage);
    } else if (arg == "--sid") {
      config.account_sid = value();
    } else if (arg == "--token") {
      config.auth_token = value();
    } else if (arg == "--numbers") {
      config.numbers = SplitCommas(value());
    } else if (arg == "--latency-ms") {
      latency_ms = Number(value(), "--latency-ms");
    } else if (arg == "--rate") {
      const char* text = value();
      char* end = nullptr;
      config.segments_per_second = std::strtod(text, &end);
      if (end == text || *end != '\0' || config.segments_per_second <= 0)
        Usage("bad value for --rate");
    } else if (arg == "--no-limit") {
      config.segments_per_second = 0;
    } else if (arg == "--threads") {
      config.threads = static_cast<int>(Number(value(), "--threads"));
      if (config.threads < 1) Usage("bad value for --threads");
    } else if (arg == "--auto-callbacks") {
      const std::vector<std::string> parts = SplitCommas(value());
      if (parts.size() != 2) Usage("--auto-callbacks takes SENT_MS,DELIVERED_MS");
      sent_ms = Number(parts[0].c_str(), "--auto-callbacks");
      delivered_ms = Number(parts[1].c_str(), "--auto-callbacks");
      auto_callbacks = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage("help");
    } else {
      Usage((std::string("unknown argument ") + argv[i]).c_str());
    }
  }
  if (config.account_sid.empty() || config.auth_token.empty() || config.numbers.empty()) {
    Usage("--sid, --token and --numbers are required");
  }

  const sigset_t signals = tocsin::fake::BlockStopSignals();  // before any thread starts

  try {
    tocsin::FakeTwilio fake(config);
    fake.SetLatency(std::chrono::milliseconds(latency_ms));
    if (auto_callbacks) {
      fake.SetAutoCallbacks(true, std::chrono::milliseconds(sent_ms),
                            std::chrono::milliseconds(delivered_ms));
    }
    std::printf("listening %u\n", static_cast<unsigned>(fake.port()));
    std::fflush(stdout);

    tocsin::fake::WaitForStop(signals);
    fake.Stop();
    std::printf("%s\n", fake.StatsJson().c_str());
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake_twilio: %s\n", e.what());
    return 1;
  }
  return 0;
}
