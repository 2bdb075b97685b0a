// FakeTwilio: a fault-injecting stand-in for Twilio's Messages API, for integration tests and
// benchmarks on loopback.
//
// It is an HTTP/1.1 server (Boost.Beast, keep-alive) bound to 127.0.0.1 that answers
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json
// as Twilio does: HTTP Basic auth with the configured account SID and auth token (else 401,
// code 20003); form fields To, From, Body, StatusCallback, ValidityPeriod, validated in this
// order with Twilio's error codes:
//   To missing 21604, To not E.164 21211, From missing 21603, From not a phone number or
//   sender ID 21212, From not one of the configured numbers 21606, Body missing 21602,
//   Body over 1,600 characters (code points) 21617, ValidityPeriod not an integer in
//   1..36000 21624, StatusCallback not an http(s) URL 21609, then any permanent error set
//   for the recipient (SetPermanentError: 21211, 21610, 21614, ...).
// Success is 201 with Twilio's JSON (status "queued", num_segments a string computed by
// dispatch/message/segments.h, date_created in RFC 2822). Errors are Twilio-shaped:
// {"code", "message", "more_info", "status"}. An unparseable form body is 400 with code 20001
// (the fake's choice), an unknown path 404 (20404), another method 405 (20004).
// MessagingServiceSid is not supported.
// POST /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json with an empty Body redacts
// the message as Twilio does: 200 with the message (body ""), else 404 (20404) for a message it
// does not have, 400 (30400) without an empty Body, 400 (20009) while its status is not final
// (delivered, undelivered, failed, canceled, read). A redaction is recorded on the message
// (`redacted`), which keeps the body as sent for inspection.
//
// Fault injection, all settable at any time from any thread:
//   - fixed latency before every answer;
//   - the next N authenticated Messages requests answer 429 (code 20429) with Retry-After,
//     or 500 (code 20500), or hang: no answer for a given time, then the connection closes;
//     a request consumes one hang first, else one 500, else one 429;
//   - permanent errors per recipient; delivery failures per recipient (auto callbacks then
//     report "undelivered" with the given code instead of "delivered").
//
// Rate enforcement: per From, a token bucket counted in segments. With a rate of R segments
// per second the bucket holds max(R, 1) tokens (one second's worth: a small burst) and starts
// full. A message of S segments conforms if the bucket holds at least min(S, capacity) tokens
// and then takes S (so a message longer than the bucket leaves a debt, as Twilio takes S/R
// seconds to send it). A message that does not conform is still answered 201 and recorded,
// as Twilio queues it, but takes no tokens and is counted as a violation of its From. A rate of
// 0 means no limit.
//
// Status callbacks: SendStatusCallback() (or auto mode: "sent", then "delivered", after
// configurable delays) POSTs MessageSid, MessageStatus, SmsSid, SmsStatus, AccountSid, From,
// To, ApiVersion and ErrorCode (when given) form-encoded to the message's StatusCallback URL,
// signed with X-Twilio-Signature (dispatch/channels/twilio_signature.h) over that URL. Only http URLs
// whose host is loopback (127.0.0.0/8, ::1, localhost) are called; anything else is refused.
// Callbacks run on their own io_context and thread, never on the server's.
//
// Calls (tests/fakes/fake_twilio_calls.h): POST /2010-04-01/Accounts/{AccountSid}/Calls.json
// with the same auth and injected faults (429, 500, hang, latency) as Messages. The fields To,
// From (one of the configured numbers), Url (or Twiml), StatusCallback, StatusCallbackEvent
// (repeated), Timeout and MachineDetection are validated with Twilio's codes; success is 201
// with Twilio's call JSON (sid "CA...", status "queued"). Calls are rated per account
// (`calls_per_second`, 1 at Twilio; a call over the rate is accepted and counted as a violation,
// as Twilio queues it). The fake then plays the callee set for the number with SetCallee (by
// default: answers, presses nothing): it posts the status callbacks the call asked for, in order,
// fetches the TwiML from Url as Twilio does (POST, signed), follows each <Gather action> with the
// callee's next digit, and ends with the final status. Waits of the script (ringing) are in fake
// time, which moves only with AdvanceCallClock.
//
// Recordings: GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3 with the same
// auth and injected faults (hang, 500, 429, latency) answers the audio given by SetRecording
// (audio/mpeg), else 404 (20404); another method is 405.
//
// Threading: the server runs `threads` threads on its own io_context; every public method is
// thread-safe. The destructor (or Stop) closes the listener, abandons requests in flight and
// pending callbacks (their futures then report std::future_error broken_promise) and joins
// the threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

struct FakeTwilioConfig {
  std::string account_sid = "AC00000000000000000000000000000000";
  std::string auth_token = "fake-auth-token";
  std::vector<std::string> numbers;  // the account's senders, E.164
  std::uint16_t port = 0;            // 0: the OS picks one; see FakeTwilio::port()
  int threads = 1;
  double segments_per_second = 0;  // per From; 0 = no limit
  double calls_per_second = 0;     // per account; 0 = no limit
};

// How the person at a number behaves when the fake calls it.
struct FakeCallee {
  enum class Pickup { kAnswer, kNoAnswer, kBusy, kFail };
  Pickup pickup = Pickup::kAnswer;
  // One key per <Gather> reached, in order ("91": hear it again, then going). When they run out
  // the callee stays silent and the call ends with the document (voicemail, or hung up).
  std::string digits;
  bool machine = false;  // AnsweredBy "machine_start" when the call asked for MachineDetection
  std::chrono::milliseconds ring_for{0};  // fake time ringing before the pickup outcome
};

// One accepted call and what happened on it.
struct FakeTwilioCall {
  std::string sid;
  std::string to;
  std::string from;
  std::string url;              // empty if the call gave Twiml instead
  std::string inline_twiml;     // the Twiml parameter, if given
  std::string status_callback;  // empty if none
  std::vector<std::string> status_callback_events;
  int timeout_seconds = 60;
  std::string machine_detection;  // as given, empty if none
  bool over_rate = false;
  std::string status = "queued";       // the call's current status
  std::vector<std::string> callbacks;  // CallStatus of each status callback posted, in order
  std::vector<int> callback_replies;   // the receiver's HTTP status for each (0: no answer)
  std::vector<std::string> twiml;      // every TwiML document the call played, in order
  std::vector<int> twiml_replies;      // the HTTP status of each fetch (0: no answer)
  std::vector<double> twiml_ms;        // each fetch's round trip (signed POST to reply), real ms
  std::chrono::steady_clock::time_point placed_at;  // when Calls.json accepted it
  std::string pressed;                 // the digits posted to <Gather> actions
  bool finished = false;               // the final status callback has been attempted
};

// One accepted message.
struct FakeTwilioMessage {
  std::string sid;
  std::string to;
  std::string from;
  std::string body;
  int segments = 0;
  std::string status_callback;         // empty if none
  std::optional<int> validity_period;  // seconds, if given
  std::chrono::system_clock::time_point received_at;
  std::string status = "queued";  // the last status reported by a callback
  bool over_rate = false;         // accepted over its From's rate
  bool redacted = false;          // its body was redacted (body still holds what was sent)
};

struct FakeTwilioStats {
  std::uint64_t requests = 0;  // every HTTP request read
  std::uint64_t accepted = 0;  // 201 answers
  std::uint64_t rejected = 0;  // 4xx and 5xx answers, injected ones included
  std::uint64_t hung = 0;      // requests left unanswered on purpose
  std::uint64_t redacted = 0;  // successful redactions
  std::map<std::string, std::uint64_t> accepted_by_from;
  std::map<std::string, std::uint64_t> segments_by_from;
  std::map<std::string, std::uint64_t> violations_by_from;  // accepted over the rate
  std::uint64_t calls = 0;            // calls accepted (201), also counted in `accepted`
  std::uint64_t call_violations = 0;  // calls accepted over calls_per_second
  std::uint64_t violations() const;
};

class FakeTwilio {
 public:
  // Binds 127.0.0.1:`config.port` and starts serving. Throws boost::system::system_error if
  // the port cannot be bound.
  explicit FakeTwilio(FakeTwilioConfig config);
  ~FakeTwilio();
  FakeTwilio(const FakeTwilio&) = delete;
  FakeTwilio& operator=(const FakeTwilio&) = delete;

  // Idempotent; see the threading note above.
  void Stop();

  std::uint16_t port() const;
  std::string BaseUrl() const;       // "http://127.0.0.1:PORT"
  std::string MessagesPath() const;  // "/2010-04-01/Accounts/AC.../Messages.json"
  std::string CallsPath() const;     // "/2010-04-01/Accounts/AC.../Calls.json"

  // --- Fault injection ---
  void SetLatency(std::chrono::milliseconds latency);
  // Requests to `to` fail with 400 and `code` (21211, 21610, 21614, 21612, 21408 get
  // Twilio's messages; others a generic one).
  void SetPermanentError(const std::string& to, int code);
  void ClearPermanentErrors();
  void FailNextWith429(int count, int retry_after_seconds = 1);
  void FailNextWith500(int count);
  void HangNext(int count, std::chrono::milliseconds duration);
  // Auto callbacks for messages to `to` end "undelivered" with `error_code` (e.g. 30003).
  void SetDeliveryFailure(const std::string& to, int error_code);
  // Changes the rate (0 = no limit) and refills every bucket.
  void SetRateLimit(double segments_per_second);

  // --- Status callbacks ---
  // When enabled, each accepted message with a StatusCallback gets "sent" after `sent_after`
  // and then "delivered" (or its delivery failure) `delivered_after` later.
  void SetAutoCallbacks(bool enabled, std::chrono::milliseconds sent_after = {},
                        std::chrono::milliseconds delivered_after = {});
  // POSTs one status callback for message `sid`. The future holds the receiver's HTTP status,
  // or an Error: NotFound (no such message), Invalid (no StatusCallback, or not a loopback
  // http URL), Unavailable (connection failed or timed out after 5 s).
  std::future<Result<int>> SendStatusCallback(const std::string& sid, const std::string& status,
                                              std::optional<int> error_code = std::nullopt);

  // --- Recordings ---
  // What GET .../Recordings/{sid}.mp3 answers from now on.
  void SetRecording(const std::string& sid, std::string audio);

  // --- Calls ---
  // How the number `to` behaves from the next call on; ClearCallees restores the default.
  void SetCallee(const std::string& to, FakeCallee callee);
  void ClearCallees();
  // Changes the call rate (0 = no limit) and refills the bucket.
  void SetCallRateLimit(double calls_per_second);
  // Moves the calls' fake clock on; calls waiting (ringing) until then carry on.
  void AdvanceCallClock(std::chrono::milliseconds by);
  std::vector<FakeTwilioCall> Calls() const;
  std::optional<FakeTwilioCall> FindCall(std::string_view sid) const;
  // Waits (real time, up to `timeout`) until `n` calls have finished; true if they have.
  bool WaitForFinishedCalls(std::size_t n, std::chrono::milliseconds timeout) const;

  // --- Inspection ---
  std::vector<FakeTwilioMessage> Messages() const;
  // Waits (real time, up to `timeout`, without polling) until `n` messages have been accepted
  // since the start or the last Reset; true if they have.
  bool WaitForMessages(std::size_t n, std::chrono::milliseconds timeout) const;
  std::optional<FakeTwilioMessage> FindMessage(std::string_view sid) const;
  FakeTwilioStats Stats() const;
  // {"requests":N,"accepted":N,"rejected":N,"hung":N,"violations":{"+44...":N,...},
  //  "accepted_by_from":{...},"segments_by_from":{...}} on one line.
  std::string StatsJson() const;
  // Forgets messages and statistics (not the fault settings).
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin
