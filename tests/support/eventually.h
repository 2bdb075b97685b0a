// Waiting for what the server does asynchronously (the dispatcher, escalation deadlines): poll a
// condition until it holds, failing the test after `limit`. A behaviour check, never a timing one.
#pragma once

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

namespace tocsin::test {

template <typename Pred>
void Eventually(Pred pred, const char* what, std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("timed out waiting for " << what);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace tocsin::test
