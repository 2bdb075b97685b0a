// Helpers the benchmarks share: loading many members fast, and reading a process's CPU and
// memory from /proc.
#pragma once

#include <string>

#include <sys/types.h>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_env.h"

namespace tocsin::test {

// Inserts `n` members of network `slug` in area SE15 with COPY, sealed with `data_key` (the
// server's). Phones are +4477NNNNNNNN from 10000000 up; returns the first phone's number part.
void LoadMembers(const TestDatabase& db, const std::string& data_key, const std::string& slug, int n);
std::string BenchPhone(int i);

// The configuration of a load benchmark's server: the sandbox provider sending slowly (so the
// dispatcher stays out of the way), inbound SMS signed with `auth_token`, warnings only.
std::string SandboxBenchConfig(const std::string& auth_token);
// Creates network "bench" (number +447700900001) on `server`; a client with a `role` token of it.
HttpClient CreateSandboxBenchNetwork(const TocsindProcess& server, const std::string& role);

double CpuSeconds(pid_t pid);  // utime + stime
long PeakRssKb(pid_t pid);     // VmHWM
long RssKb(pid_t pid);         // VmRSS

}  // namespace tocsin::test
