// PreparedCalls: the TwiML of each call in progress, kept in memory from the moment the call is
// placed until its final status, so that Twilio's requests during the call (the call's Url, its
// <Gather> action) are answered without a database round trip.
//
// A call is found by its token: the unguessable last segment of its Url
// ({public_url}/twilio/voice/{token}), never by a delivery id.
//
// Bounded: at most `capacity` calls; Add refuses more (the voice channel keeps calls in flight
// below it). A call whose final status never came (a lost status callback) is forgotten
// `max_age` after it was added, so it cannot hold a slot for ever. Threading: every method is thread-safe (the voice channel adds on the engine's
// thread; HTTP threads find).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace tocsin {

struct PreparedCall {
  std::int64_t delivery_id = 0;
  std::int64_t network_id = 0;
  std::string prompt;  // the alert and the keys, read twice (message/voice_twiml.h)
  std::string going;   // said after 1
  std::string cannot;  // said after 2
  // Who answers what: a key press is recorded as the member's reply ("1 K7Q4") from their phone
  // to the network number that called them (engine: the same use case as an SMS reply).
  std::int64_t alert_id = 0;
  std::int64_t member_id = 0;
  std::string alert_code;
  std::string member_phone;    // E.164 (memory only, as the dispatcher holds it); the hotline:
                               // the caller's
  std::string network_number;  // the call's From (the hotline: the number called)
  // Said instead of the alert once the alert ended (PreparedCalls::EndAlert): then every
  // request of the call plays it and no key counts.
  std::string ended;
  bool over = false;
  // The hotline only. `record`: played after 5 (what to say, then <Record>), empty when the
  // caller may not report (reports.from); `reported`: said once the recording became a report.
  std::string record;
  std::string reported;
  // The alert never reached this member (they heard it as one of their areas' on the hotline):
  // a 1 or 2 first records a delivery for them (engine: a hotline call-in).
  bool call_in = false;
  std::string call_in_language;  // of the message they heard: their delivery's
};

class PreparedCalls {
 public:
  using Clock = std::chrono::steady_clock;

  explicit PreparedCalls(std::size_t capacity, Clock::duration max_age = std::chrono::hours(1))
      : capacity_(capacity), max_age_(max_age) {}

  // False (and nothing kept) when full or the token is taken.
  bool Add(const std::string& token, PreparedCall call);
  std::shared_ptr<const PreparedCall> Find(std::string_view token) const;
  // The provider took the call and named it `sid` (Twilio's CallSid).
  void SetSid(const std::string& token, const std::string& sid);
  void Remove(std::string_view token);
  // The call `sid` ended (its final status): forgets it. False if it was not known.
  bool RemoveBySid(std::string_view sid);
  // Alert `alert_id` ended: each of its calls held plays its `ended` from now on (over).
  void EndAlert(std::int64_t alert_id);
  // Calls held (those older than max_age are forgotten first).
  std::size_t size();

 private:
  struct Entry {
    std::shared_ptr<const PreparedCall> call;
    Clock::time_point added;
    std::string sid;  // once known
  };
  // Forgets calls added max_age_ or more before `now`. Needs mu_.
  void PruneLocked(Clock::time_point now);

  // Immutable.
  const std::size_t capacity_;
  const Clock::duration max_age_;
  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, Entry, std::less<>> calls_;         // by token
  std::map<std::string, std::string, std::less<>> tokens_;  // sid -> token
};

}  // namespace tocsin
