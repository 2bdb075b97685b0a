#include "tests/fakes/fake_twilio.h"

#include "tests/fakes/fake_twilio_impl.h"

namespace tocsin {

using namespace fake_twilio_impl;

std::uint64_t FakeTwilioStats::violations() const {
  std::uint64_t total = 0;
  for (const auto& [from, n] : violations_by_from) total += n;
  return total;
}

FakeTwilio::Impl::Impl(FakeTwilioConfig c)
    : config(std::move(c)),
      messages_path("/2010-04-01/Accounts/" + config.account_sid + "/Messages.json"),
      acceptor(ioc),
      callback_work(callback_ioc.get_executor()),
      calls(config.account_sid, config.auth_token, config.numbers, config.calls_per_second,
            callback_ioc),
      rate(config.segments_per_second) {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), config.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  bound_port = acceptor.local_endpoint().port();
}

std::string FakeTwilio::Impl::RandomHex(int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; i += 8) {
    std::uint64_t r = rng();
    for (int j = 0; j < 8 && i + j < bytes; ++j, r >>= 8) {
      out += kHex[(r >> 4) & 0x0F];
      out += kHex[r & 0x0F];
    }
  }
  return out;
}

asio::awaitable<void> FakeTwilio::Impl::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. the peer reset before we accepted
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ioc, Session(std::move(socket)), LogFailure);
  }
}

asio::awaitable<void> FakeTwilio::Impl::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kRequestBodyLimit);
    stream.expires_after(kIdleTimeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, kTuple);
    // end_of_stream: the client closed between requests; timeout or reset: it went away.
    if (read_ec) break;
    stream.expires_never();
    const Request request = parser.release();
    ++in_flight;

    if (const Millis latency{latency_ms.load()}; latency.count() > 0) {
      asio::steady_timer timer(stream.get_executor(), latency);
      co_await timer.async_wait(kTuple);
    }
    Outcome outcome = Handle(request);
    if (outcome.hang) {
      // Leave the request unanswered so the client's own deadline fires; then drop it.
      asio::steady_timer timer(stream.get_executor(), *outcome.hang);
      co_await timer.async_wait(kTuple);
      --in_flight;
      break;
    }
    stream.expires_after(10s);
    auto [write_ec, write_n] = co_await http::async_write(stream, outcome.response, kTuple);
    --in_flight;
    if (write_ec || !outcome.response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

Result<FakeTwilio::Impl::PreparedCallback> FakeTwilio::Impl::PrepareCallback(
    const std::string& sid, const std::string& status, std::optional<int> error_code) {
  std::lock_guard lock(mu);
  const auto it = index.find(sid);
  if (it == index.end()) return Error::NotFound("no message " + sid);
  FakeTwilioMessage& message = messages[it->second];
  if (message.status_callback.empty()) {
    return Error::Invalid("StatusCallback", "message " + sid + " has no StatusCallback");
  }
  if (Result<fake::LoopbackTarget> target =
          fake::ParseLoopbackUrl(message.status_callback, "StatusCallback");
      !target.ok()) {
    return target.error();
  }
  PreparedCallback callback{message.status_callback, {}};
  callback.params = {{"MessageSid", sid},
                     {"MessageStatus", status},
                     {"SmsSid", sid},
                     {"SmsStatus", status},
                     {"AccountSid", config.account_sid},
                     {"From", message.from},
                     {"To", message.to},
                     {"ApiVersion", std::string(kApiVersion)}};
  if (error_code) callback.params.emplace_back("ErrorCode", std::to_string(*error_code));
  message.status = status;
  return callback;
}

asio::awaitable<Result<int>> FakeTwilio::Impl::PostCallback(PreparedCallback callback) {
  Result<fake::SignedPostReply> reply = co_await fake::PostSigned(
      std::move(callback.url), std::move(callback.params), config.auth_token, "StatusCallback");
  if (!reply.ok()) co_return reply.error();
  co_return reply.value().status;
}

asio::awaitable<void> FakeTwilio::Impl::SendAndFulfil(
    PreparedCallback callback, std::shared_ptr<std::promise<Result<int>>> promise) {
  promise->set_value(co_await PostCallback(std::move(callback)));
}

asio::awaitable<void> FakeTwilio::Impl::AutoCallbacks(std::string sid, Millis sent_after,
                                                      Millis delivered_after,
                                                      std::optional<int> failure) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(sent_after);
  co_await timer.async_wait(kTuple);
  if (Result<PreparedCallback> sent = PrepareCallback(sid, "sent", std::nullopt); sent.ok()) {
    co_await PostCallback(std::move(sent).value());
  }
  timer.expires_after(delivered_after);
  co_await timer.async_wait(kTuple);
  Result<PreparedCallback> final_status =
      PrepareCallback(sid, failure ? "undelivered" : "delivered", failure);
  if (final_status.ok()) co_await PostCallback(std::move(final_status).value());
}

// --- FakeTwilio ---

FakeTwilio::FakeTwilio(FakeTwilioConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  asio::co_spawn(impl_->ioc, impl_->Accept(), LogFailure);
  const int threads = std::max(1, impl_->config.threads);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->callback_thread = std::thread([this] { impl_->callback_ioc.run(); });
}

FakeTwilio::~FakeTwilio() { Stop(); }

void FakeTwilio::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->callback_work.reset();
  impl_->callback_ioc.stop();
  impl_->callback_thread.join();
}

std::uint16_t FakeTwilio::port() const { return impl_->bound_port; }

std::string FakeTwilio::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::string FakeTwilio::MessagesPath() const { return impl_->messages_path; }

std::string FakeTwilio::CallsPath() const {
  return "/2010-04-01/Accounts/" + impl_->config.account_sid + "/Calls.json";
}

void FakeTwilio::SetRecording(const std::string& sid, std::string audio) {
  std::lock_guard lock(impl_->mu);
  impl_->recordings[sid] = std::move(audio);
}

void FakeTwilio::SetCallee(const std::string& to, FakeCallee callee) {
  impl_->calls.SetCallee(to, std::move(callee));
}

void FakeTwilio::ClearCallees() { impl_->calls.ClearCallees(); }

void FakeTwilio::SetCallRateLimit(double calls_per_second) { impl_->calls.SetRate(calls_per_second); }

void FakeTwilio::AdvanceCallClock(std::chrono::milliseconds by) { impl_->calls.Advance(by); }

std::vector<FakeTwilioCall> FakeTwilio::Calls() const { return impl_->calls.Calls(); }

std::optional<FakeTwilioCall> FakeTwilio::FindCall(std::string_view sid) const {
  return impl_->calls.Find(sid);
}

bool FakeTwilio::WaitForMessages(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->message_added.wait_for(lock, timeout, [&] { return impl_->messages.size() >= n; });
}

bool FakeTwilio::WaitForFinishedCalls(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->calls.WaitForFinished(n, timeout);
}

void FakeTwilio::SetLatency(std::chrono::milliseconds latency) {
  impl_->latency_ms.store(latency.count());
}

void FakeTwilio::SetPermanentError(const std::string& to, int code) {
  std::lock_guard lock(impl_->mu);
  impl_->permanent_errors[to] = code;
}

void FakeTwilio::ClearPermanentErrors() {
  std::lock_guard lock(impl_->mu);
  impl_->permanent_errors.clear();
}

void FakeTwilio::FailNextWith429(int count, int retry_after_seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_429 = count;
  impl_->retry_after_seconds = retry_after_seconds;
}

void FakeTwilio::FailNextWith500(int count) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_500 = count;
}

void FakeTwilio::HangNext(int count, std::chrono::milliseconds duration) {
  std::lock_guard lock(impl_->mu);
  impl_->hang_count = count;
  impl_->hang_duration = duration;
}

void FakeTwilio::SetDeliveryFailure(const std::string& to, int error_code) {
  std::lock_guard lock(impl_->mu);
  impl_->delivery_failures[to] = error_code;
}

void FakeTwilio::SetRateLimit(double segments_per_second) {
  std::lock_guard lock(impl_->mu);
  impl_->rate = segments_per_second;
  impl_->buckets.clear();
}

void FakeTwilio::SetAutoCallbacks(bool enabled, std::chrono::milliseconds sent_after,
                                  std::chrono::milliseconds delivered_after) {
  std::lock_guard lock(impl_->mu);
  impl_->auto_callbacks = enabled;
  impl_->auto_sent_after = sent_after;
  impl_->auto_delivered_after = delivered_after;
}

std::future<Result<int>> FakeTwilio::SendStatusCallback(const std::string& sid,
                                                        const std::string& status,
                                                        std::optional<int> error_code) {
  auto promise = std::make_shared<std::promise<Result<int>>>();
  std::future<Result<int>> future = promise->get_future();
  Result<Impl::PreparedCallback> callback = impl_->PrepareCallback(sid, status, error_code);
  if (!callback.ok()) {
    promise->set_value(callback.error());
    return future;
  }
  asio::co_spawn(impl_->callback_ioc, impl_->SendAndFulfil(std::move(callback).value(), promise),
                 LogFailure);
  return future;
}

std::vector<FakeTwilioMessage> FakeTwilio::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

std::optional<FakeTwilioMessage> FakeTwilio::FindMessage(std::string_view sid) const {
  std::lock_guard lock(impl_->mu);
  const auto it = impl_->index.find(std::string(sid));
  if (it == impl_->index.end()) return std::nullopt;
  return impl_->messages[it->second];
}

FakeTwilioStats FakeTwilio::Stats() const {
  FakeTwilioStats stats;
  {
    std::lock_guard lock(impl_->mu);
    stats = impl_->stats;
  }
  stats.calls = impl_->calls.accepted();
  stats.call_violations = impl_->calls.violations();
  return stats;
}

std::string FakeTwilio::StatsJson() const {
  const FakeTwilioStats stats = Stats();
  auto to_object = [](const std::map<std::string, std::uint64_t>& m) {
    json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  json::object out;
  out["requests"] = stats.requests;
  out["accepted"] = stats.accepted;
  out["rejected"] = stats.rejected;
  out["hung"] = stats.hung;
  out["violations"] = to_object(stats.violations_by_from);
  out["accepted_by_from"] = to_object(stats.accepted_by_from);
  out["segments_by_from"] = to_object(stats.segments_by_from);
  out["calls"] = stats.calls;
  out["call_violations"] = stats.call_violations;
  return json::serialize(out);
}

void FakeTwilio::Reset() {
  impl_->calls.Reset();
  std::lock_guard lock(impl_->mu);
  impl_->messages.clear();
  impl_->index.clear();
  impl_->stats = {};
  impl_->buckets.clear();
}

}  // namespace tocsin
