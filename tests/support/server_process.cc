#include "tests/support/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/spawn.h"
#include "tests/support/paths.h"

extern char** environ;

namespace tocsin::test {
namespace fs = std::filesystem;

TocsindProcess::TocsindProcess(const TestDatabase& db, std::string extra_toml, bool migrate) {
  static int counter = 0;
  dir_ = (fs::temp_directory_path() /
          ("tocsind_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++)))
             .string();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  config_path_ = dir_ + "/tocsin.toml";
  log_path_ = dir_ + "/tocsind.log";
  data_key_ = TestDataKey();
  port_ = FreePort();
  std::ofstream cfg(config_path_);
  cfg << "[server]\nlisten = \"127.0.0.1:" << port_ << "\"\n"
      << "public_url = \"http://127.0.0.1:" << port_ << "\"\n"
      << "[database]\nurl = \"" << db.url() << "\"\npool_size = 4\n"
      << (extra_toml.find("[log]") == std::string::npos ? "[log]\nlevel = \"debug\"\n" : "")
      << (extra_toml.find("[sms]") == std::string::npos ? "[sms]\nprovider = \"sandbox\"\n" : "")
      << extra_toml << "\n";
  cfg.close();
  if (migrate) {
    auto r = Cli({"migrate"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
}

TocsindProcess::~TocsindProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitExit(pid_);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<std::string> TocsindProcess::Env(const std::map<std::string, std::string>& extra,
                                             bool with_secrets) const {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars["TOCSIN_DATA_KEY"] = data_key_;
  vars["TOCSIN_ADMIN_TOKEN"] = kAdminToken;
  if (!with_secrets) {
    vars.erase("TOCSIN_DATA_KEY");
    vars.erase("TOCSIN_ADMIN_TOKEN");
  }
  vars.erase("DATABASE_URL");  // the config file names this test's own database
  for (const auto& [k, v] : extra) vars[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

void TocsindProcess::Start() {
  REQUIRE(pid_ < 0);
  pid_ = Spawn({tocsin::test::TocsindPath(), "--config", config_path_, "serve"}, Env({}), dir_ + "/stdout.log",
               log_path_);
  auto client = Client();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("tocsind exited at start:\n" << Log());
    }
    if (client.Get("/healthz").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("tocsind did not answer /healthz within 15 s:\n" << Log());
}

int TocsindProcess::Stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int code = WaitExit(pid_);
  pid_ = -1;
  return code;
}

CliResult TocsindProcess::Cli(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env) const {
  std::vector<std::string> argv = {tocsin::test::TocsindPath(), "--config", config_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCli(argv, Env(env), "");
}

CliResult TocsindProcess::CliIn(const std::string& cwd, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {tocsin::test::TocsindPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCli(argv, Env({}, /*with_secrets=*/false), cwd);
}

CliResult TocsindProcess::RunCli(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, const std::string& cwd) const {
  static int counter = 0;
  auto n = std::to_string(counter++);
  auto out_path = dir_ + "/cli" + n + ".out";
  auto err_path = dir_ + "/cli" + n + ".err";
  CliResult r;
  r.exit_code = WaitExit(Spawn(argv, env, out_path, err_path, cwd));
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

HttpClient TocsindProcess::Client(const std::string& bearer) const {
  return HttpClient("http://127.0.0.1:" + std::to_string(port_), bearer);
}

std::string TocsindProcess::Log() const { return ReadFile(log_path_); }

std::string CreateNetworkWithToken(const TocsindProcess& server, const std::string& slug,
                                   const std::string& role, const std::string& number) {
  auto admin = server.Admin();
  auto r = admin.Post("/v1/networks", R"({"name":"Net )" + slug + R"(","slug":")" + slug +
                                          R"(","numbers":[")" + number + R"("]})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto t = admin.Post("/v1/networks/" + slug + "/tokens", R"({"role":")" + role + R"("})");
  INFO(t.body);
  REQUIRE(t.status == 201);
  return std::string(t.Json().as_object().at("token").as_string());
}

}  // namespace tocsin::test
