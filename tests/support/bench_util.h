// Helpers the benchmarks share: loading many members fast, and reading a process's CPU and
// memory from /proc.
#pragma once

#include <string>

#include <sys/types.h>

#include "tests/support/test_env.h"

namespace tocsin::test {

// Inserts `n` members of network `slug` in area SE15 with COPY, sealed with `data_key` (the
// server's). Phones are +4477NNNNNNNN from 10000000 up; returns the first phone's number part.
void LoadMembers(const TestDatabase& db, const std::string& data_key, const std::string& slug, int n);
std::string BenchPhone(int i);

double CpuSeconds(pid_t pid);  // utime + stime
long PeakRssKb(pid_t pid);     // VmHWM
long RssKb(pid_t pid);         // VmRSS

}  // namespace tocsin::test
