// What every file of HTTP handlers starts with: the names they all use (json, status, verb, the
// handlers' return type Awaitable, RunningEngine) and the headers behind them (API errors,
// authorisation, JSON in and out, path ids, routes). Include it in handler .cc files only: it brings names into
// namespace tocsin.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/json_io.h"
#include "server/api/path_ids.h"
#include "server/api/routes.h"

namespace tocsin {

namespace json = boost::json;
using http::bhttp::status;
using http::bhttp::verb;
using Awaitable = boost::asio::awaitable<http::Response>;

// The engine, for a handler that needs it; 503 while there is none (before Serve() sets it, or
// in a process that serves without one).
inline Engine& RunningEngine(App& app) {
  if (!app.engine) throw ApiError(Error::Unavailable("the engine is not running"));
  return *app.engine;
}

}  // namespace tocsin
