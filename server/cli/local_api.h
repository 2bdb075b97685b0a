// The CLI's way into the running server's engine: alerts must be raised, ended and read by the
// server that sends, escalates and tracks them, so the alert commands call the same /v1 API the
// README documents, over loopback HTTP to server.listen (libcurl's easy interface).
//
// A LocalApi session, in order:
//   1. checks that tocsind answers /healthz, else fails with Unavailable("cannot reach tocsind
//      at http://HOST:PORT (is `tocsind serve` running?)") having changed nothing;
//   2. mints a coordinator token of the network for itself, straight in the database (label
//      "cli", audited as actor "cli");
//   3. makes the calls, each bounded in time; SIGINT, SIGTERM or SIGHUP abort the call in flight
//      instead of killing the process, so that
//   4. its destructor revokes the token (audited as "cli"), whatever happened before.
// Not thread-safe: one session per command.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "dispatch/store/db_pool.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"
#include "server/config.h"

namespace tocsin::cli {

struct ApiReply {
  std::string body;         // as the server sent it (for --json)
  boost::json::value json;  // parsed
};

class LocalApi {
 public:
  // Steps 1 and 2; the Error of whichever failed (nothing to revoke then).
  static Result<std::unique_ptr<LocalApi>> Open(DbPool& db, const DataCipher& cipher, const Config& config,
                                                const Network& network);
  ~LocalApi();
  LocalApi(const LocalApi&) = delete;
  LocalApi& operator=(const LocalApi&) = delete;

  // `path` is below /v1/networks/{slug} ("/alerts?status=open"). An API error comes back as an
  // Error with the server's message and field (code kInvalid for 422, else kInternal-like).
  Result<ApiReply> Get(const std::string& path) const;
  Result<ApiReply> Post(const std::string& path, const boost::json::value& body) const;

  // http://host:port of server.listen; an unspecified address (0.0.0.0, ::) means loopback.
  static std::string BaseUrl(const ServerConfig& server);

 private:
  LocalApi(DbPool& db, std::string base, Network network, std::int64_t token_id, std::string token);
  Result<ApiReply> Call(const std::string& method, const std::string& path, const std::string& body) const;

  DbPool& db_;
  const std::string base_;
  const Network network_;
  const std::int64_t token_id_;
  const std::string token_;
};

}  // namespace tocsin::cli
