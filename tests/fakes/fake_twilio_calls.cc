#include "tests/fakes/fake_twilio_calls.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <ctime>
#include <functional>
#include <random>

#include "tests/fakes/fake_process.h"
#include "tests/fakes/signed_post.h"
#include "tests/fakes/twilio_form.h"

namespace tocsin::fake {

namespace asio = boost::asio;
namespace json = boost::json;
using Millis = std::chrono::milliseconds;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kApiVersion = "2010-04-01";
constexpr int kMaxDocuments = 20;  // a call that loops longer is cut (Twilio has its own limits)

bool IsHttpUrl(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

std::string DecodeEntities(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& [entity, c] : kEntities) {
      if (s.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

}  // namespace

std::optional<std::string> GatherAction(std::string_view twiml, std::string_view document_url) {
  std::size_t at = twiml.find("<Gather");
  while (at != std::string_view::npos) {
    const char next = at + 7 < twiml.size() ? twiml[at + 7] : '>';
    if (next == ' ' || next == '>' || next == '/' || next == '\n' || next == '\t') break;
    at = twiml.find("<Gather", at + 7);
  }
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t end = twiml.find('>', at);
  const std::string_view tag = twiml.substr(at, end == std::string_view::npos ? end : end - at);
  std::string action;
  for (const char quote : {'"', '\''}) {
    const std::string key = std::string(" action=") + quote;
    if (const std::size_t k = tag.find(key); k != std::string_view::npos) {
      const std::size_t start = k + key.size();
      action = DecodeEntities(tag.substr(start, tag.find(quote, start) - start));
      break;
    }
  }
  if (action.empty()) return std::string(document_url);
  if (IsHttpUrl(action)) return action;
  // A path: relative to the document's scheme and host.
  const std::size_t scheme_end = document_url.find("://");
  const std::size_t path_start =
      scheme_end == std::string_view::npos ? 0 : document_url.find('/', scheme_end + 3);
  const std::string origin(document_url.substr(0, path_start));
  if (action.front() == '/') return origin + action;
  const std::string_view base = document_url.substr(0, document_url.rfind('/') + 1);
  return std::string(base) + action;
}

struct CallBook::Waiter {
  explicit Waiter(asio::io_context& ioc, Millis at) : timer(ioc), due(at) {
    timer.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer timer;
  Millis due;
};

CallBook::CallBook(std::string account_sid, std::string auth_token,
                   std::vector<std::string> numbers, double calls_per_second,
                   asio::io_context& ioc)
    : account_sid_(std::move(account_sid)),
      auth_token_(std::move(auth_token)),
      numbers_(std::move(numbers)),
      ioc_(ioc),
      rate_(calls_per_second),
      tokens_(std::max(calls_per_second, 1.0)),
      last_refill_(std::chrono::steady_clock::now()),
      rng_state_(std::random_device{}()) {}

CallBook::~CallBook() = default;

std::variant<json::object, CallBook::Rejection> CallBook::Create(const FormParams& params) {
  const std::string to(FirstValue(params, "To"));
  const std::string from(FirstValue(params, "From"));
  const std::string url(FirstValue(params, "Url"));
  const std::string twiml(FirstValue(params, "Twiml"));
  const std::string status_callback(FirstValue(params, "StatusCallback"));
  auto reject = [](int code, std::string message) {
    return Rejection{400, code, std::move(message)};
  };
  if (to.empty()) return reject(21201, "No 'To' number is specified");
  if (!IsE164(to)) return reject(21211, "Invalid 'To' Phone Number: " + to);
  if (from.empty()) return reject(21213, "No 'From' number is specified");
  if (std::find(numbers_.begin(), numbers_.end(), from) == numbers_.end()) {
    return reject(21210, "The source phone number provided, " + from +
                             ", is not yet verified for your account.");
  }
  if (url.empty() && twiml.empty()) return reject(21205, "Url parameter is required.");
  if (!url.empty() && !IsHttpUrl(url)) return reject(21205, "Url is not a valid URL: " + url);
  if (twiml.size() > 4000) return reject(21205, "Twiml is longer than 4,000 characters.");
  if (!status_callback.empty() && !IsHttpUrl(status_callback)) {
    return reject(21609, "Invalid StatusCallback url");
  }
  FakeTwilioCall call;
  for (const auto& [k, v] : params) {
    if (k != "StatusCallbackEvent") continue;
    // Twilio takes the events repeated, or space-separated in one value.
    std::size_t i = 0;
    while (i < v.size()) {
      const std::size_t j = std::min(v.find(' ', i), v.size());
      const std::string event = v.substr(i, j - i);
      if (!event.empty()) {
        static const std::vector<std::string> kEvents = {"initiated", "ringing", "answered",
                                                         "completed"};
        if (std::find(kEvents.begin(), kEvents.end(), event) == kEvents.end()) {
          return reject(21626, "Invalid StatusCallbackEvent: " + event);
        }
        call.status_callback_events.push_back(event);
      }
      i = j + 1;
    }
  }
  if (HasParam(params, "Timeout")) {
    const std::string_view t = FirstValue(params, "Timeout");
    const bool digits = !t.empty() && t.size() <= 3 &&
                        std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int value = digits ? std::stoi(std::string(t)) : -1;
    if (value < 1 || value > 600) return reject(21216, "Timeout must be between 1 and 600");
    call.timeout_seconds = value;
  }
  const std::string machine(FirstValue(params, "MachineDetection"));
  if (!machine.empty() && machine != "Enable" && machine != "DetectMessageEnd") {
    return reject(21219, "MachineDetection must be Enable or DetectMessageEnd");
  }

  std::lock_guard lock(mu_);
  static constexpr char kHex[] = "0123456789abcdef";
  call.sid = "CA";
  for (int i = 0; i < 2; ++i) {
    std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);  // splitmix64
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    for (int j = 0; j < 16; ++j, z >>= 4) call.sid += kHex[z & 0x0F];
  }
  call.to = to;
  call.from = from;
  call.url = url;
  call.inline_twiml = twiml;
  call.status_callback = status_callback;
  call.machine_detection = machine;
  call.placed_at = std::chrono::steady_clock::now();
  if (rate_ > 0) {
    const auto now = std::chrono::steady_clock::now();
    const double capacity = std::max(rate_, 1.0);
    tokens_ = std::min(capacity,
                       tokens_ + rate_ * std::chrono::duration<double>(now - last_refill_).count());
    last_refill_ = now;
    if (tokens_ + 1e-9 < 1.0) {
      call.over_rate = true;
      ++violations_;
    } else {
      tokens_ -= 1.0;
    }
  }
  ++accepted_;
  FakeCallee callee;
  if (auto it = callees_.find(to); it != callees_.end()) callee = it->second;
  const std::string sid = call.sid;
  index_.emplace(sid, calls_.size());
  calls_.push_back(std::move(call));

  const std::string date = Rfc2822(std::chrono::system_clock::now());
  json::object reply;
  reply["account_sid"] = account_sid_;
  reply["api_version"] = kApiVersion;
  reply["date_created"] = date;
  reply["date_updated"] = date;
  reply["direction"] = "outbound-api";
  reply["duration"] = nullptr;
  reply["from"] = from;
  reply["from_formatted"] = from;
  reply["price"] = nullptr;
  reply["sid"] = sid;
  reply["start_time"] = nullptr;
  reply["status"] = "queued";
  reply["to"] = to;
  reply["to_formatted"] = to;
  reply["uri"] = "/2010-04-01/Accounts/" + account_sid_ + "/Calls/" + sid + ".json";
  asio::co_spawn(ioc_, Play(sid, callee), [](std::exception_ptr e) {
    LogTaskFailure("fake_twilio calls", e);
  });
  return reply;
}

FormParams CallBook::BaseParams(const std::string& sid, const std::string& status) {
  const FakeTwilioCall call = Snapshot(sid);
  return {{"AccountSid", account_sid_}, {"ApiVersion", std::string(kApiVersion)},
          {"CallSid", sid},             {"CallStatus", status},
          {"Direction", "outbound-api"}, {"From", call.from},
          {"To", call.to}};
}

void CallBook::Update(const std::string& sid,
                      const std::function<void(FakeTwilioCall&)>& change) {
  {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(sid); it != index_.end()) change(calls_[it->second]);
  }
  finished_cv_.notify_all();
}

FakeTwilioCall CallBook::Snapshot(const std::string& sid) const {
  std::lock_guard lock(mu_);
  const auto it = index_.find(sid);
  return it == index_.end() ? FakeTwilioCall{} : calls_[it->second];
}

asio::awaitable<void> CallBook::SleepFake(Millis d) {
  if (d.count() <= 0) co_return;
  auto waiter = std::make_shared<Waiter>(ioc_, fake_now_ + d);
  waiters_.push_back(waiter);
  // Advance cancels the timer once fake time reaches `due`; the cancellation is the wake-up.
  while (fake_now_ < waiter->due) co_await waiter->timer.async_wait(kTuple);
}

void CallBook::Advance(Millis by) {
  asio::post(ioc_, [this, by] {
    fake_now_ += by;
    std::erase_if(waiters_, [&](const std::shared_ptr<Waiter>& w) {
      if (w->due > fake_now_) return false;
      w->timer.cancel();
      return true;
    });
  });
}

asio::awaitable<void> CallBook::Callback(const std::string& sid, const std::string& event,
                                         const std::string& status, int duration) {
  const FakeTwilioCall call = Snapshot(sid);
  Update(sid, [&](FakeTwilioCall& c) { c.status = status; });
  const auto& events = call.status_callback_events;
  const bool wanted = event == "completed" ||
                      std::find(events.begin(), events.end(), event) != events.end();
  if (call.status_callback.empty() || !wanted) co_return;
  FormParams params = BaseParams(sid, status);
  params.emplace_back("CallbackSource", "call-progress-events");
  {
    std::lock_guard lock(mu_);
    params.emplace_back("SequenceNumber", std::to_string(next_sequence_++));
  }
  params.emplace_back("Timestamp", Rfc2822(std::chrono::system_clock::now()));
  if (event == "completed") {
    params.emplace_back("CallDuration", std::to_string(duration));
    params.emplace_back("Duration", std::to_string((duration + 59) / 60));
  }
  Result<SignedPostReply> reply =
      co_await PostSigned(call.status_callback, std::move(params), auth_token_, "StatusCallback");
  Update(sid, [&](FakeTwilioCall& c) {
    c.callbacks.push_back(status);
    c.callback_replies.push_back(reply.ok() ? reply.value().status : 0);
  });
}

asio::awaitable<void> CallBook::Play(std::string sid, FakeCallee callee) {
  using Pickup = FakeCallee::Pickup;
  auto finish = [&](const std::string& status, int duration) -> asio::awaitable<void> {
    co_await Callback(sid, "completed", status, duration);
    Update(sid, [](FakeTwilioCall& c) { c.finished = true; });
  };
  if (callee.pickup == Pickup::kFail) {
    co_await finish("failed", 0);
    co_return;
  }
  co_await Callback(sid, "initiated", "initiated", 0);
  co_await Callback(sid, "ringing", "ringing", 0);
  co_await SleepFake(callee.ring_for);
  if (callee.pickup == Pickup::kBusy) {
    co_await finish("busy", 0);
    co_return;
  }
  if (callee.pickup == Pickup::kNoAnswer) {
    co_await finish("no-answer", 0);
    co_return;
  }

  co_await Callback(sid, "answered", "in-progress", 0);
  const FakeTwilioCall call = Snapshot(sid);
  FormParams params = BaseParams(sid, "in-progress");
  if (!call.machine_detection.empty()) {
    params.emplace_back("AnsweredBy", callee.machine ? "machine_start" : "human");
  }
  std::string url = call.url;
  std::size_t next_digit = 0;
  int seconds = 5;  // a nominal duration: a few seconds per document heard
  for (int n = 0; n < kMaxDocuments; ++n) {
    std::string document;
    if (n == 0 && url.empty()) {
      document = call.inline_twiml;
      Update(sid, [&](FakeTwilioCall& c) {
        c.twiml.push_back(document);
        c.twiml_replies.push_back(200);
      });
    } else {
      const auto asked = std::chrono::steady_clock::now();
      Result<SignedPostReply> reply = co_await PostSigned(url, params, auth_token_, "Url");
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count();
      const int status = reply.ok() ? reply.value().status : 0;
      if (reply.ok()) document = reply.value().body;
      Update(sid, [&](FakeTwilioCall& c) {
        c.twiml.push_back(document);
        c.twiml_replies.push_back(status);
        c.twiml_ms.push_back(ms);
      });
      // Twilio says "an application error has occurred" and hangs up.
      if (status != 200) break;
    }
    seconds += 5;
    const std::optional<std::string> action = GatherAction(document, url);
    if (!action || next_digit >= callee.digits.size() || callee.machine) break;
    const std::string digit(1, callee.digits[next_digit++]);
    Update(sid, [&](FakeTwilioCall& c) { c.pressed += digit; });
    url = *action;
    params = BaseParams(sid, "in-progress");
    params.emplace_back("Digits", digit);
    params.emplace_back("FinishedOnKey", "");
  }
  co_await finish("completed", seconds);
}

void CallBook::SetCallee(const std::string& to, FakeCallee callee) {
  std::lock_guard lock(mu_);
  callees_[to] = std::move(callee);
}

void CallBook::ClearCallees() {
  std::lock_guard lock(mu_);
  callees_.clear();
}

void CallBook::SetRate(double calls_per_second) {
  std::lock_guard lock(mu_);
  rate_ = calls_per_second;
  tokens_ = std::max(rate_, 1.0);
  last_refill_ = std::chrono::steady_clock::now();
}

std::vector<FakeTwilioCall> CallBook::Calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::optional<FakeTwilioCall> CallBook::Find(std::string_view sid) const {
  std::lock_guard lock(mu_);
  const auto it = index_.find(sid);
  if (it == index_.end()) return std::nullopt;
  return calls_[it->second];
}

bool CallBook::WaitForFinished(std::size_t n, Millis timeout) const {
  std::unique_lock lock(mu_);
  return finished_cv_.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(calls_.begin(), calls_.end(),
                                                  [](const auto& c) { return c.finished; })) >= n;
  });
}

std::uint64_t CallBook::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

std::uint64_t CallBook::violations() const {
  std::lock_guard lock(mu_);
  return violations_;
}

void CallBook::Reset() {
  std::lock_guard lock(mu_);
  calls_.clear();
  index_.clear();
  accepted_ = 0;
  violations_ = 0;
}

}  // namespace tocsin::fake
