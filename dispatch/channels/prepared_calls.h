// PreparedCalls: the TwiML of each call in progress, kept in memory from the moment the call is
// placed until its final status, so that Twilio's requests during the call (the call's Url, its
// <Gather> action) are answered without a database round trip.
//
// A call is found by its token: the unguessable last segment of its Url
// ({public_url}/twilio/voice/{token}), never by a delivery id.
//
// Bounded: at most `capacity` calls; Add refuses more (the voice channel keeps calls in flight
// below it). Threading: every method is thread-safe (the voice channel adds on the engine's
// thread; HTTP threads find).
#pragma once

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
};

class PreparedCalls {
 public:
  explicit PreparedCalls(std::size_t capacity) : capacity_(capacity) {}

  // False (and nothing kept) when full or the token is taken.
  bool Add(const std::string& token, PreparedCall call);
  std::shared_ptr<const PreparedCall> Find(std::string_view token) const;
  // The provider took the call and named it `sid` (Twilio's CallSid).
  void SetSid(const std::string& token, const std::string& sid);
  void Remove(std::string_view token);
  // The call `sid` ended (its final status): forgets it. False if it was not known.
  bool RemoveBySid(std::string_view sid);
  std::size_t size() const;

 private:
  const std::size_t capacity_;  // immutable
  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::shared_ptr<const PreparedCall>, std::less<>> calls_;  // by token
  std::map<std::string, std::string, std::less<>> tokens_;                         // sid -> token
};

}  // namespace tocsin
