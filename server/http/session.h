// One HTTP/1.1 connection: read a request's header, ask the Router how much body it admits
// (the route's limit for a checked token, a small one for strangers and signed webhooks), read
// the body, hand the request to the Router, write the response, repeat while keep-alive holds.
//
// Every read and write has a deadline (HttpLimits); a refusal at the headers (401, 413) is
// written without reading the body and the connection closes; a body over its limit found while
// reading (chunked) gets 413 and the connection closes; a malformed request gets 400 and closes.
// Each of these closes ends our side first, then reads and drops what the client still sends
// (up to 64 KiB or 1 s) before closing, so unread data does not turn the close into a reset that
// hides the answer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/router.h"
#include "server/http/types.h"

namespace tocsin::http {

boost::asio::awaitable<void> RunSession(boost::beast::tcp_stream stream, const Router& router,
                                        HttpLimits limits);

}  // namespace tocsin::http
