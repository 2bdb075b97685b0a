// What every file of HTTP handlers starts with: the names they all use (json, status, verb, the
// handlers' return type Awaitable) and the headers behind them (API errors, authorisation, JSON
// in and out, path ids, routes). Include it in handler .cc files only: it brings names into
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

}  // namespace tocsin
