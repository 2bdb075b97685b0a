// CallBook: the fake Twilio's voice calls (see fake_twilio.h for what a caller sees). FakeTwilio
// owns one; it hands it the form of each authenticated POST .../Calls.json and answers with what
// Create returns. Test code only.
//
// Invariants:
//   1. A call's status callbacks are posted one after another, in Twilio's order (initiated,
//      ringing, answered, then the final one), each only if the call asked for that event; the
//      final one ("completed" event: completed, busy, no-answer or failed) always when the call
//      has a StatusCallback.
//   2. Every request to the application (Url, each <Gather> action, status callbacks) is signed
//      with X-Twilio-Signature over its exact URL and parameters, and only goes to loopback.
//   3. Fake time moves only in AdvanceCallClock; a script's wait never depends on real time.
//
// Threading: every public method is thread-safe. Calls play on `ioc` (the fake's callback
// loop, one thread), which also owns the fake-time waiters.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio.h"

namespace tocsin::fake {

class CallBook {
 public:
  // A refusal as Twilio gives it: HTTP status, Twilio error code, message.
  struct Rejection {
    int http_status = 400;
    int code = 0;
    std::string message;
  };

  CallBook(std::string account_sid, std::string auth_token, std::vector<std::string> numbers,
           double calls_per_second, boost::asio::io_context& ioc);
  ~CallBook();

  // Validates and records a call, starts playing it on `ioc`; the JSON is Twilio's 201 body.
  std::variant<boost::json::object, Rejection> Create(const FormParams& params);

  void SetCallee(const std::string& to, FakeCallee callee);
  void ClearCallees();
  void SetRate(double calls_per_second);
  void Advance(std::chrono::milliseconds by);
  std::vector<FakeTwilioCall> Calls() const;
  std::optional<FakeTwilioCall> Find(std::string_view sid) const;
  bool WaitForFinished(std::size_t n, std::chrono::milliseconds timeout) const;
  std::uint64_t accepted() const;
  std::uint64_t violations() const;
  void Reset();  // forgets calls and counts (not callees or the rate)

 private:
  struct Waiter;
  boost::asio::awaitable<void> Play(std::string sid, FakeCallee callee);
  boost::asio::awaitable<void> SleepFake(std::chrono::milliseconds d);
  // Posts one status callback for the call (if it asked for `event`) and records it.
  boost::asio::awaitable<void> Callback(const std::string& sid, const std::string& event,
                                        const std::string& status, int duration);
  // The call's fields Twilio sends on every request, with `status`.
  FormParams BaseParams(const std::string& sid, const std::string& status);
  void Update(const std::string& sid, const std::function<void(FakeTwilioCall&)>& change);
  FakeTwilioCall Snapshot(const std::string& sid) const;

  // Immutable after construction.
  const std::string account_sid_;
  const std::string auth_token_;
  const std::vector<std::string> numbers_;
  boost::asio::io_context& ioc_;

  // Guarded by mu_.
  mutable std::mutex mu_;
  mutable std::condition_variable finished_cv_;
  std::vector<FakeTwilioCall> calls_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::map<std::string, FakeCallee> callees_;
  double rate_ = 0;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point last_refill_;
  std::uint64_t accepted_ = 0;
  std::uint64_t violations_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t rng_state_;

  // Only on ioc_.
  std::chrono::milliseconds fake_now_{0};
  std::vector<std::shared_ptr<Waiter>> waiters_;
};

// The action of the first <Gather> in `twiml`, resolved against `document_url` (no action: the
// document's own URL, as Twilio does); nullopt if the document has no <Gather>. Entities in the
// attribute (&amp; ...) are decoded.
std::optional<std::string> GatherAction(std::string_view twiml, std::string_view document_url);

}  // namespace tocsin::fake
