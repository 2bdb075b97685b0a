// VoiceChannel: alerts read out by phone. Each delivery on channel "voice" becomes one call
// placed through a CallProvider (Twilio's Calls API), its TwiML prepared at that moment
// (message/voice_twiml.h, in the member's language or English: message/voice_scripts.h) and
// kept in PreparedCalls under an unguessable token that is the last segment of the call's Url.
//
// Limits (the account's, not per number as SMS): at most `calls_per_second` calls started a
// second (a token bucket holding one second's worth), and at most `max_calls_in_flight` calls
// between placing and their final status (CallEnded). A throttled answer pauses the channel for
// Retry-After (at least a second). SMS has its own channel and limiter, so neither starves the
// other.
//
// Threading: as Channel's (the dispatcher's executor). CallEnded may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dispatch/channels/call_provider.h"
#include "dispatch/channels/channel.h"
#include "dispatch/channels/prepared_calls.h"
#include "dispatch/channels/token_bucket.h"
#include "dispatch/message/voice_scripts.h"

namespace tocsin {

struct VoiceChannelOptions {
  double calls_per_second = 1;  // Twilio's default per account
  int max_calls_in_flight = 20;
  std::string voice_url;  // {public_url}/twilio/voice: a call's Url is voice_url + "/" + token
  int ring_timeout_seconds = 30;
  // The signed URL of a network's recording (message/call_lines.h), for <Play>; empty: none.
  std::function<std::string(std::int64_t network_id, std::string_view language, std::string_view message)>
      recording_url;
  // The token of call `m` (channels/call_token.h); empty: a random one (tests).
  std::function<std::string(const OutboundMessage& m)> call_token;
};

// What call `m` plays (its Url {voice_url}/{token}; `from`: the network number calling), read
// in the member's language or English (message/call_lines.h), and said instead once its alert
// ended. Also what Engine::RestoreCall prepares again after a restart.
PreparedCall PrepareCall(const VoiceScripts& scripts, const VoiceChannelOptions& options, const OutboundMessage& m,
                         const std::string& token, const std::string& from);

class VoiceChannel : public Channel {
 public:
  VoiceChannel(CallProvider& provider, PreparedCalls& prepared, const VoiceScripts& scripts,
               VoiceChannelOptions options);

  std::string_view name() const override { return "voice"; }
  void SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) override;
  double Rate(std::int64_t network_id) const override;
  std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                  std::function<void(SendResult)> done) override;

  // The call Twilio calls `sid` reached its final status: its slot and TwiML are freed.
  void CallEnded(std::string_view sid) { prepared_.RemoveBySid(sid); }

 private:
  struct Numbers {
    std::vector<std::string> numbers;
    std::size_t next = 0;  // round-robin start
  };

  CallProvider& provider_;
  PreparedCalls& prepared_;
  const VoiceScripts& scripts_;
  const VoiceChannelOptions options_;
  TokenBucket bucket_;
  std::map<std::int64_t, Numbers> networks_;
  // steady_clock ticks until which no call is placed (a throttled answer); set from any thread.
  std::shared_ptr<std::atomic<std::int64_t>> paused_until_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
};

}  // namespace tocsin
