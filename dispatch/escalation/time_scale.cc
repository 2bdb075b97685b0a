#include "dispatch/escalation/time_scale.h"

#include <algorithm>
#include <cmath>

namespace tocsin {
namespace {
double g_scale = 1.0;
}  // namespace

void SetEscalationTimeScale(double scale) { g_scale = std::max(1.0, scale); }

double EscalationTimeScale() { return g_scale; }

std::int64_t ScaledMs(std::int64_t ms) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(static_cast<double>(ms) / g_scale)));
}

}  // namespace tocsin
