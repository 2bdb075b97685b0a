// Where an operator's command finds its configuration when run from a quickstart directory
// (deploy/quickstart.sh writes .data/tocsin.toml and .data/secrets.env):
//   1. `--config FILE` when given, else .data/tocsin.toml when it exists in the working
//      directory;
//   2. the secrets (TOCSIN_DATA_KEY, TOCSIN_ADMIN_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
//      from the environment, and for those not set there, from .data/secrets.env (KEY=value
//      lines) when it exists. Other lines of that file are ignored.
#pragma once

#include <optional>
#include <string>

#include "dispatch/util/result.h"
#include "server/config.h"

namespace tocsin::cli {

inline constexpr const char* kQuickstartConfig = ".data/tocsin.toml";
inline constexpr const char* kQuickstartSecrets = ".data/secrets.env";

// `given` when not empty, else kQuickstartConfig when it exists, else nullopt.
std::optional<std::string> ConfigPath(const std::string& given);

// `env` with the secrets of kQuickstartSecrets (when it exists) behind it. A line that is not
// blank, a comment or KEY=value is an Error naming the file and line (never its content).
Result<EnvLookup> EnvWithSecretsFile(EnvLookup env);

}  // namespace tocsin::cli
