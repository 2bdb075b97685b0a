#include "dispatch/channels/voice_channel.h"

#include <algorithm>

#include "dispatch/message/call_lines.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

using BucketClock = TokenBucket::Clock;
using namespace std::chrono_literals;

VoiceChannel::VoiceChannel(CallProvider& provider, PreparedCalls& prepared,
                           const VoiceScripts& scripts, VoiceChannelOptions options)
    : provider_(provider),
      prepared_(prepared),
      scripts_(scripts),
      options_(std::move(options)),
      bucket_(options_.calls_per_second, BucketClock::now()) {}

void VoiceChannel::SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) {
  auto& n = networks_[network_id];
  n.numbers.clear();
  n.next = 0;
  for (const auto& s : senders) n.numbers.push_back(s.address);
}

double VoiceChannel::Rate(std::int64_t network_id) const {
  const auto it = networks_.find(network_id);
  return it == networks_.end() || it->second.numbers.empty() ? 0 : options_.calls_per_second;
}

PreparedCall PrepareCall(const VoiceScripts& scripts, const VoiceChannelOptions& options, const OutboundMessage& m,
                         const std::string& token, const std::string& from) {
  const std::string url = options.voice_url + "/" + token;
  // No voice speaks the language: the English script reads the English text, but for what the
  // network recorded in the language (message/call_lines.h).
  const CallText text{m.language, m.body, m.english_body, m.alert_kind, m.place, m.place_details, m.relay};
  const std::set<std::string> recorded(m.recorded.begin(), m.recorded.end());
  const auto lines = LinesForCall(scripts, text, recorded, [&](std::string_view message) {
    return options.recording_url ? options.recording_url(m.network_id, m.language, message) : std::string();
  });
  PreparedCall call;
  call.delivery_id = m.delivery_id;
  call.network_id = m.network_id;
  call.prompt = PromptTwimlOf(lines, url + "/answer");
  call.going = TwimlOf(lines.going);
  call.cannot = TwimlOf(lines.cannot);
  call.ended = TwimlOf(lines.ended);
  call.alert_id = m.alert_id;
  call.member_id = m.member_id;
  call.alert_code = m.alert_code;
  call.member_phone = m.to;
  call.network_number = from;
  return call;
}

std::optional<std::chrono::nanoseconds> VoiceChannel::TrySend(const OutboundMessage& m,
                                                              std::function<void(SendResult)> done) {
  const auto now = BucketClock::now();
  const auto paused = BucketClock::time_point(BucketClock::duration(paused_until_->load()));
  if (now < paused) return paused - now;
  const auto it = networks_.find(m.network_id);
  if (it == networks_.end() || it->second.numbers.empty()) return std::chrono::hours(1);
  // A slot frees when a call ends; look again soon rather than wait for a wake-up.
  if (prepared_.size() >= static_cast<std::size_t>(options_.max_calls_in_flight)) return 250ms;
  if (!bucket_.TryTake(1, now)) return bucket_.WaitFor(1, now);

  Numbers& n = it->second;
  const std::string from = n.numbers[n.next % n.numbers.size()];
  n.next = (n.next + 1) % n.numbers.size();
  const std::string token = options_.call_token ? options_.call_token(m) : NewToken("v");
  PreparedCall call = PrepareCall(scripts_, options_, m, token, from);
  const std::string url = options_.voice_url + "/" + token;
  if (!prepared_.Add(token, std::move(call))) return 250ms;

  CallRequest request{m.delivery_id, m.to, from, url, options_.ring_timeout_seconds};
  provider_.Place(request, [this, token, from, paused_until = paused_until_,
                            done = std::move(done)](SmsOutcome o) {
    if (o.kind == SmsOutcome::Kind::kAccepted) {
      prepared_.SetSid(token, o.provider_id);
    } else {
      prepared_.Remove(token);
    }
    if (o.kind == SmsOutcome::Kind::kThrottled) {
      const auto pause = std::max<std::chrono::seconds>(o.retry_after, std::chrono::seconds(1));
      const auto until = (BucketClock::now() + pause).time_since_epoch().count();
      auto seen = paused_until->load();
      while (seen < until && !paused_until->compare_exchange_weak(seen, until)) {
      }
    }
    done({std::move(o), from});
  });
  return std::nullopt;
}

}  // namespace tocsin
