// App: the components one tocsind process runs with, built once from the Config and passed by
// reference to the API handlers. It is a bag of independent, individually thread-safe parts
// (no lock of its own); each part states its own threading rule.
#pragma once

#include <memory>

#include "dispatch/engine/engine.h"
#include "dispatch/engine/event_hub.h"
#include "dispatch/message/report_words.h"
#include "dispatch/message/templates.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/store/member_registry.h"
#include "dispatch/util/crypto.h"
#include "server/api/revoked_tokens.h"
#include "server/api/stream_limits.h"
#include "server/config.h"
#include "server/http/metrics.h"

namespace tocsin {

struct App {
  App(Config config, DataCipher cipher, TemplateSet templates);

  // Immutable after construction.
  const Config config;
  const DataCipher cipher;
  const TemplateSet templates;

  // Thread-safe parts.
  DbPool db;  // the API's: authentication, reads, registry writes, imports (statement_timeout)
  MemberRegistry members;
  AlertStore alerts;  // reads
  http::Metrics metrics;
  EventHub events;  // what happens to alerts, for the events stream
  RevokedTokens revoked;  // revoked through this process: their streams end
  RevokedTokens ended_sessions;  // console sessions (row ids) ended here by logout: their streams end
  StreamLimits streams;   // live streams per token and per network
  // Set by Serve() before the first request: the words of reports by SMS (the templates' [reports]
  // lists; English only until then).
  ReportWords report_words;
  // Set by Serve() before the first request: raising, ending, answers, status callbacks.
  Engine* engine = nullptr;
};

// `tocsind serve`: checks the schema is current, starts the dispatcher, serves the API on
// server.listen until SIGINT or SIGTERM, then drains (stops accepting, finishes requests, lets
// the dispatcher finish what is in flight and record it) and returns the exit code.
int Serve(const Config& config);

}  // namespace tocsin
