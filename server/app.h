// App: the components one tocsind process runs with, built once from the Config and passed by
// reference to the API handlers. It is a bag of independent, individually thread-safe parts
// (no lock of its own); each part states its own threading rule.
#pragma once

#include <memory>

#include "dispatch/registry/member_registry.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/crypto.h"
#include "server/config.h"
#include "server/http/metrics.h"

namespace tocsin {

struct App {
  App(Config config, DataCipher cipher);

  // Immutable after construction.
  const Config config;
  const DataCipher cipher;

  // Thread-safe parts.
  DbPool db;
  MemberRegistry members;
  http::Metrics metrics;
};

// `tocsind serve`: checks the schema is current, serves the API on server.listen until SIGINT or
// SIGTERM, then drains (stops accepting, waits up to 10 s for sessions) and returns the exit code.
int Serve(const Config& config);

}  // namespace tocsin
