// What the fakes (fake_twilio, fake_smtp) share as servers and as processes: reporting a failed
// server task, reading numeric flags, and running until SIGTERM or SIGINT. Test code only.
#pragma once

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace tocsin::fake {

// A co_spawn completion handler's body: prints why a task of `who` failed, if it did.
inline void LogTaskFailure(const char* who, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    std::fprintf(stderr, "%s: task failed: %s\n", who, x.what());
  }
}

// The value of a flag that takes a non-negative integer; `usage` (which exits) otherwise.
inline long NumberFlag(const char* text, const char* flag, void (*usage)(const char* why)) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 0) {
    usage((std::string("bad value for ") + flag).c_str());
    std::exit(2);
  }
  return value;
}

// The value of the flag at argv[i]: the next argument (i moves to it); `usage` (which exits)
// when there is none.
inline const char* FlagValue(int argc, char** argv, int& i, void (*usage)(const char* why)) {
  if (i + 1 >= argc) {
    usage((std::string("missing value for ") + argv[i]).c_str());
    std::exit(2);
  }
  return argv[++i];
}

// The value of --port: 0 to 65535; `usage` (which exits) otherwise.
inline std::uint16_t PortFlag(const char* text, void (*usage)(const char* why)) {
  const long port = NumberFlag(text, "--port", usage);
  if (port > 65535) {
    usage("bad value for --port");
    std::exit(2);
  }
  return static_cast<std::uint16_t>(port);
}

// Blocks SIGINT and SIGTERM. Call before any thread starts, so every thread inherits the mask
// and only WaitForStop() sees them.
inline sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Returns once SIGINT or SIGTERM arrives.
inline void WaitForStop(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
}

}  // namespace tocsin::fake
