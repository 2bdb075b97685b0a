// How fast escalation time runs: every policy and tree duration (step waits, reminder and backup
// delays, tree waits) is divided by the scale when a deadline is set. 1 in production. Tests and
// demos set a larger scale (escalation.time_scale) to watch the real default policies — minutes
// long — play out in seconds, with the real clock and the real database deadlines.
//
// Thread safety: set once at start-up, before any deadline; read-only afterwards.
#pragma once

#include <cstdint>

namespace tocsin {

void SetEscalationTimeScale(double scale);  // >= 1
double EscalationTimeScale();
// `ms` of policy time in real milliseconds (at least 1).
std::int64_t ScaledMs(std::int64_t ms);

}  // namespace tocsin
