#include "tests/fakes/signed_post.h"

#include "tests/fakes/twilio_form.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <vector>

namespace tocsin::fake {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kTimeout = std::chrono::seconds(5);  // the whole exchange


}  // namespace

Result<LoopbackTarget> ParseLoopbackUrl(std::string_view url, std::string_view field) {
  auto refuse = [&](const std::string& why) {
    return Error::Invalid(std::string(field), "refusing to call " + std::string(field) + ": " + why);
  };
  constexpr std::string_view kScheme = "http://";
  if (!StartsWithNoCase(url, kScheme)) return refuse("the fake only calls http:// URLs");
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('#'));
  const std::size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  LoopbackTarget out;
  out.target =
      authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
  if (out.target[0] == '?') out.target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) return refuse("bad host");
  out.host_header = std::string(authority);

  std::string_view host = authority, port = "80";
  if (authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return refuse("bad host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return refuse("bad host");
      port = authority.substr(close + 2);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return refuse("bad port");
  }
  out.host = std::string(host);
  out.port = std::string(port);
  std::string lower = out.host;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return std::tolower(c); });
  if (lower != "localhost") {
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(out.host, ec);
    if (ec || !address.is_loopback()) return refuse("not a loopback host");
  }
  return out;
}

asio::awaitable<Result<SignedPostReply>> PostSigned(std::string url, FormParams params,
                                                    std::string auth_token, std::string field) {
  Result<LoopbackTarget> parsed = ParseLoopbackUrl(url, field);
  if (!parsed.ok()) co_return parsed.error();
  const LoopbackTarget target = std::move(parsed).value();
  const auto executor = co_await asio::this_coro::executor;
  auto fail = [&](const boost::system::error_code& ec) {
    return Error::Unavailable(field + ": " + ec.message());
  };
  tcp::resolver resolver(executor);
  auto [resolve_ec, results] = co_await resolver.async_resolve(target.host, target.port, kTuple);
  if (resolve_ec) co_return fail(resolve_ec);
  // Even "localhost" must resolve to loopback before we connect.
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_loopback()) endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) {
    co_return Error::Invalid(field, "refusing to call " + field + ": not loopback");
  }

  beast::tcp_stream stream(executor);
  stream.expires_after(kTimeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kTuple);
  if (connect_ec) co_return fail(connect_ec);

  http::request<http::string_body> request(http::verb::post, target.target, 11);
  request.set(http::field::host, target.host_header);
  request.set(http::field::user_agent, "TwilioProxy/1.1");
  request.set(http::field::content_type, "application/x-www-form-urlencoded");
  request.set("X-Twilio-Signature", TwilioSignature(auth_token, url, params));
  request.body() = FormUrlEncode(params);
  request.prepare_payload();
  auto [write_ec, write_n] = co_await http::async_write(stream, request, kTuple);
  if (write_ec) co_return fail(write_ec);

  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  auto [read_ec, read_n] = co_await http::async_read(stream, buffer, response, kTuple);
  if (read_ec) co_return fail(read_ec);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return SignedPostReply{static_cast<int>(response.result_int()),
                            std::string(response[http::field::content_type]), response.body()};
}

}  // namespace tocsin::fake
