// Where new reports' codes come from (store/report_store.h): NewReportCode (model/report.h,
// random) in production; in tests a seeded generator, so a test can make a new report draw a
// code already in use and see it skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tocsin {

using ReportCodeSource = std::function<std::string()>;

// Codes from a generator seeded with `seed` (testing.report_code_seed): two sources of one seed
// give the same codes in the same order. Thread-safe.
ReportCodeSource SeededReportCodes(std::uint64_t seed);

}  // namespace tocsin
