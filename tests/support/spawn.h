// Running a program from a test: spawned with its output in files, waited for, its files read.
// Test code only (failures fail the running test).
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace tocsin::test {

// posix_spawn of argv[0] (a path) with `env` as its whole environment, stdin from /dev/null,
// stdout and stderr appended to `out_path` and `err_path` (created 0600), in `cwd` when given.
// Returns the pid; fails the test if it cannot spawn.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& out_path, const std::string& err_path, const std::string& cwd = "");
// Waits for `pid` to exit; its exit code, or 128 + the signal that ended it.
int WaitExit(pid_t pid);
// The whole of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

}  // namespace tocsin::test
