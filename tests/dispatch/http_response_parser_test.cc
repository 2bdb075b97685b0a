// ParseHttpResponse: the shapes of answer OriginClient reads, whole and in pieces.
#include "dispatch/net/http_response_parser.h"

#include <catch2/catch.hpp>
#include <string>

namespace tocsin {
namespace {

using Result = ParsedResponse::Result;
constexpr std::size_t kMax = 1024;

TEST_CASE("an answer sized by Content-Length, complete only once all of it is there", "[http_parser]") {
  const std::string answer =
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Dup: a\r\nx-dup:  b \r\nContent-Length: 11\r\n\r\n"
      "{\"sid\":\"1\"}HTTP/1.1";
  for (std::size_t cut = 0; cut < answer.size() - 19; ++cut) {
    CHECK(ParseHttpResponse(answer.substr(0, cut), false, false, kMax).result == Result::kIncomplete);
  }
  auto p = ParseHttpResponse(answer, false, false, kMax);
  REQUIRE(p.result == Result::kComplete);
  CHECK(p.status == 201);
  CHECK(p.body == "{\"sid\":\"1\"}");
  CHECK(p.consumed == answer.size() - 8);  // the next answer's start is left
  CHECK(p.keep_alive);
  REQUIRE(p.headers.size() == 4);
  CHECK(p.headers[1] == std::pair<std::string, std::string>{"x-dup", "a"});
  CHECK(p.headers[2] == std::pair<std::string, std::string>{"x-dup", "b"});
}

TEST_CASE("a chunked answer, with extensions and trailers", "[http_parser]") {
  const std::string answer =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
  CHECK(ParseHttpResponse(answer.substr(0, answer.size() - 2), false, false, kMax).result == Result::kIncomplete);
  auto p = ParseHttpResponse(answer, false, false, kMax);
  REQUIRE(p.result == Result::kComplete);
  CHECK(p.body == "hello world");
  CHECK(p.consumed == answer.size());
  CHECK(ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, false, kMax).result ==
        Result::kInvalid);
}

TEST_CASE("an answer that ends at close, and the ones without a body", "[http_parser]") {
  const std::string answer = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end";
  CHECK(ParseHttpResponse(answer, false, false, kMax).result == Result::kIncomplete);
  auto p = ParseHttpResponse(answer, false, true, kMax);
  REQUIRE(p.result == Result::kComplete);
  CHECK(p.body == "until the end");
  CHECK_FALSE(p.keep_alive);

  auto head = ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", true, false, kMax);
  CHECK(head.result == Result::kComplete);
  CHECK(head.body.empty());
  auto interim = ParseHttpResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", false, false, kMax);
  REQUIRE(interim.result == Result::kComplete);
  CHECK(interim.status == 100);
  CHECK(interim.consumed == 25);
  CHECK_FALSE(ParseHttpResponse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, false, kMax).keep_alive);
}

TEST_CASE("answers that are not HTTP, or too large, are refused", "[http_parser]") {
  for (const std::string bad : {"HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
                                "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"}) {
    INFO(bad);
    auto p = ParseHttpResponse(bad, false, false, kMax);
    CHECK(p.result == Result::kInvalid);
    CHECK_FALSE(p.error.empty());
  }
  CHECK(ParseHttpResponse(std::string(kMaxHeadBytes + 1, 'x'), false, false, kMax).result == Result::kInvalid);
}

}  // namespace
}  // namespace tocsin
