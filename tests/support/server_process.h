// The real tocsind binary, run by tests: a config file of its own, a fresh database, its secrets
// in the environment, and stderr kept in a file for assertions (e.g. no phone number logged).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "tests/support/http_client.h"
#include "tests/support/test_env.h"

namespace tocsin::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class TocsindProcess {
 public:
  static constexpr const char* kAdminToken = "adm_test_0123456789abcdef0123456789abcdef";

  // Writes the config (plus `extra_toml`, appended verbatim) for `db`, and runs `migrate`
  // unless told not to. Does not start the server: call Start().
  explicit TocsindProcess(const TestDatabase& db, std::string extra_toml = "", bool migrate = true);
  ~TocsindProcess();

  // Spawns `tocsind serve` and waits until /healthz answers (fails the test after 15 s).
  void Start();
  // Sends `sig` and waits for the exit; returns the exit status (or 128+signal).
  int Stop(int sig = 15);
  bool Running() const { return pid_ > 0; }

  // Runs `tocsind --config FILE args...` to completion.
  CliResult Cli(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {}) const;
  // Runs `tocsind args...` (no --config) in directory `cwd`, with neither the data key nor the
  // admin token in its environment: as an operator's shell in a quickstart directory.
  CliResult CliIn(const std::string& cwd, const std::vector<std::string>& args) const;

  HttpClient Client(const std::string& bearer = "") const;
  HttpClient Admin() const { return Client(kAdminToken); }
  std::string Log() const;  // everything the server wrote to stderr so far
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& data_key() const { return data_key_; }
  // Later runs get `key` as TOCSIN_DATA_KEY (after a `tocsind rekey`).
  void set_data_key(std::string key) { data_key_ = std::move(key); }

 private:
  std::vector<std::string> Env(const std::map<std::string, std::string>& extra,
                               bool with_secrets = true) const;
  CliResult RunCli(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& cwd) const;

  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  std::string data_key_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Creates network `slug` through the API with the admin token and returns a token of `role`.
std::string CreateNetworkWithToken(const TocsindProcess& server, const std::string& slug,
                                   const std::string& role = "coordinator",
                                   const std::string& number = "+447700900001");

}  // namespace tocsin::test
