#include "dispatch/model/report_codes.h"

#include <array>
#include <memory>
#include <mutex>
#include <random>

#include "dispatch/model/alert_code.h"
#include "dispatch/model/report.h"

namespace tocsin {

ReportCodeSource SeededReportCodes(std::uint64_t seed) {
  struct State {
    std::mutex mu;
    std::mt19937_64 draw;
  };
  auto state = std::make_shared<State>();
  state->draw.seed(seed);
  return [state] {
    std::array<std::uint8_t, kReportCodeLength - 1> bytes{};
    std::lock_guard lock(state->mu);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(state->draw() % kAlertCodeAlphabet.size());
    return ReportCodeFromBytes(bytes);
  };
}

}  // namespace tocsin
