// OriginClient: HTTP/1.1 requests to one origin (scheme, host and port), many at once, over a
// pool of kept-alive connections, on one executor. It is the hot path to an SMS provider's API
// (TwilioProvider, TwilioCallProvider): every delivery is one request to the same origin.
//
// Why not CurlMultiClient: profiling the fan-out showed libcurl and the allocations it makes per
// request at about half of the server's CPU per delivery, and two liveness polls per request.
// Here a request on an open connection is one write and the reads its response needs: no poll,
// no timer of its own (deadlines are swept, see below), and no allocation beyond the request's
// text, the parser and the response.
//
// Origins: "http://host[:port]" or "https://host[:port]". https uses TLS 1.2 or later through
// Asio's OpenSSL wrapper: the server's certificate is verified against the system's trust store
// (or Options::ca_file) and must name the host; SNI is sent.
//
// Requests: HttpRequest (http_types.h); its url must be under the origin. Bodies are sent with a
// Content-Length; a POST is form-encoded unless `headers` name a Content-Type. Basic auth,
// timeout and keep_headers as documented there; public_addresses_only is refused (an origin is
// configured, not given by a user). Responses may be sized by Content-Length, chunked or end at
// close; a 1xx interim answer is skipped; bodies over kMaxResponseBodyBytes fail the request.
//
// Connections: at most max_connections; requests beyond that wait, in order, for one to free.
// A connection idle for idle_timeout is closed. A request sent on a reused connection that the
// server had already closed (the write fails, or the connection ends before any byte of an
// answer) is sent once more on a new connection, as browsers and libcurl do: that is the race
// of keep-alive, where the server closed between requests. Any other failure is the caller's.
//
// Deadlines: each request ends by its timeout, measured from Start(). A sweep every
// kSweepInterval (only while requests are outstanding) closes the connection of a request past
// its deadline and fails queued requests past theirs, so a timeout is honoured within
// kSweepInterval.
//
// Callbacks, as CurlMultiClient's:
//  1. `done` is called exactly once per Start(), on the executor, never from inside Start().
//  2. If the client is destroyed first, `done` is never called: the destructor closes every
//     connection and destroys the outstanding callbacks uncalled.
//  3. A callback may call Start() and may destroy the client. It must not throw.
//
// Threading: not thread-safe. The constructor, every method and the destructor run on the
// executor (a single-threaded io_context, or a strand).
//
// Request bodies and URLs' queries are never logged or copied into error text.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "dispatch/net/http_types.h"

namespace tocsin {

class OriginClient {
 public:
  static constexpr std::size_t kMaxResponseBodyBytes = 4 * 1024 * 1024;
  static constexpr std::chrono::milliseconds kSweepInterval{100};

  struct Options {
    int max_connections = 100;                    // values below 1 mean 1
    std::chrono::milliseconds idle_timeout{30000};
    std::string ca_file;  // PEM file of trusted roots for https; empty: the system's store
  };

  // Throws std::invalid_argument when `origin` is not "http(s)://host[:port]" (no path), or the
  // TLS context cannot be set up (e.g. an unreadable ca_file).
  OriginClient(boost::asio::any_io_executor executor, const std::string& origin, Options options);
  ~OriginClient();
  OriginClient(const OriginClient&) = delete;
  OriginClient& operator=(const OriginClient&) = delete;

  // Starts a request. One that cannot be sent (a url outside the origin, a header with CR or LF,
  // a non-positive timeout, public_addresses_only) completes with status 0 and an error, still
  // asynchronously.
  void Start(HttpRequest request, std::function<void(HttpResponse)> done);

  std::size_t InFlight() const;         // Start() calls whose `done` has not run
  std::size_t OpenConnections() const;  // connections open or being opened

  // "https://api.example.com" for "https://api.example.com/2010-04-01/x?y": an http(s) URL's
  // scheme and authority, i.e. the origin a client for it needs (the URL itself if it has no '/'
  // after the authority).
  static std::string OriginOf(const std::string& url);

  struct Shared;  // state shared with the connections' coroutines (origin_client.cc)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace tocsin
