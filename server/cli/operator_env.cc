#include "server/cli/operator_env.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string_view>

namespace tocsin::cli {
namespace {

constexpr std::array<std::string_view, 4> kSecretNames = {"TOCSIN_DATA_KEY", "TOCSIN_ADMIN_TOKEN",
                                                          "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"};

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

Result<std::map<std::string, std::string>> ReadSecrets(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  if (!in) return Error::Invalid(path, "cannot read " + path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::Invalid(path, path + " line " + std::to_string(n) + ": expected KEY=value");
    }
    auto key = Trim(line.substr(0, eq));
    for (auto name : kSecretNames) {
      if (key == name) out[key] = Trim(line.substr(eq + 1));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> ConfigPath(const std::string& given) {
  if (!given.empty()) return given;
  std::error_code ec;
  if (std::filesystem::exists(kQuickstartConfig, ec)) return std::string(kQuickstartConfig);
  return std::nullopt;
}

Result<EnvLookup> EnvWithSecretsFile(EnvLookup env) {
  std::error_code ec;
  if (!std::filesystem::exists(kQuickstartSecrets, ec)) return env;
  auto secrets = ReadSecrets(kQuickstartSecrets);
  if (!secrets.ok()) return secrets.error();
  auto file = std::make_shared<std::map<std::string, std::string>>(std::move(secrets.value()));
  return EnvLookup([env = std::move(env), file](const char* name) -> std::optional<std::string> {
    if (auto v = env(name)) return v;
    if (auto it = file->find(name); it != file->end()) return it->second;
    return std::nullopt;
  });
}

}  // namespace tocsin::cli
