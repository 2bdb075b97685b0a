// One HTTP/1.1 connection: read a request (header first, so the body limit can depend on the
// route), hand it to the Router, write the response, repeat while keep-alive holds.
//
// Every read and write has a deadline (HttpLimits); a body over its route's limit gets 413 and
// the connection closes; a malformed request gets 400 and the connection closes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/router.h"
#include "server/http/types.h"

namespace tocsin::http {

boost::asio::awaitable<void> RunSession(boost::beast::tcp_stream stream, const Router& router,
                                        HttpLimits limits);

}  // namespace tocsin::http
