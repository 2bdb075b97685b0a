#include "dispatch/message/call_lines.h"

#include <algorithm>

namespace tocsin {

std::vector<std::string> VoicelessLanguages(const VoiceScripts& scripts, const std::vector<std::string>& languages) {
  std::vector<std::string> out;
  for (const auto& l : languages) {
    if (scripts.For(l).fell_back) out.push_back(l);
  }
  return out;
}

Status CheckRecording(std::string_view message, std::string_view content_type, std::size_t bytes) {
  if (std::find(kRecordingMessages.begin(), kRecordingMessages.end(), message) == kRecordingMessages.end()) {
    std::string names;
    for (auto m : kRecordingMessages) names += (names.empty() ? "" : ", ") + std::string(m);
    return Error::Invalid("message", "unknown message '" + std::string(message.substr(0, 40)) + "' (one of: " +
                                         names + ")");
  }
  if (content_type != "audio/mpeg" && content_type != "audio/wav") {
    return Error::Invalid("Content-Type", "must be audio/mpeg or audio/wav");
  }
  if (bytes == 0) return Error::Invalid("body", "is empty: the audio file is the request's body");
  if (bytes > kMaxRecordingBytes) {
    return Error{ErrorCode::kTooLarge, "is " + std::to_string(bytes) + " bytes: at most 2 MiB (2097152 bytes)", "body"};
  }
  return Ok{};
}

std::string RecordingSignature(const DataCipher& cipher, std::int64_t network_id, std::string_view language,
                               std::string_view message) {
  return ToHex(cipher.LookupHash(network_id, "recording/" + std::string(language) + "/" + std::string(message)));
}

std::string SignedRecordingUrl(const DataCipher& cipher, std::string_view public_url, std::int64_t network_id,
                               std::string_view language, std::string_view message) {
  return std::string(public_url) + "/twilio/recordings/" + std::to_string(network_id) + "/" + std::string(language) +
         "/" + std::string(message) + "?sig=" + RecordingSignature(cipher, network_id, language, message);
}

CallLines LinesForCall(const VoiceScripts& scripts, const CallText& call, const std::set<std::string>& recorded,
                       const RecordingUrl& url) {
  const auto choice = scripts.For(call.language);
  const std::string& text = choice.fell_back && !call.english.empty() ? call.english : call.text;
  CallLines lines = SpokenLines(*choice.script, text, call.location, call.details);
  if (call.relay) {  // rule 4
    lines.prompt = SayXml(*choice.script, choice.script->relay_prompt);
    lines.going = SayXml(*choice.script, choice.script->relay_going);
  }
  if (!choice.fell_back || recorded.empty()) return lines;
  auto play = [&](std::string_view message, std::string& line) {
    if (recorded.count(std::string(message))) line = PlayXml(url(message));
  };
  play(call.kind, lines.alert);
  if (!call.relay) play("prompt", lines.prompt);
  play("goodbye", lines.goodbye);
  play("cannot", lines.cannot);
  if (call.location.empty() && !call.relay) play("going", lines.going);  // rules 3, 4
  return lines;
}

std::string HotlineLine(const VoiceScripts& scripts, std::string_view language, std::string_view message,
                        std::string_view text, std::string_view network, const std::set<std::string>& recorded,
                        const RecordingUrl& url) {
  const auto choice = scripts.For(language);
  if (text.empty() && choice.fell_back && recorded.count(std::string(message))) return PlayXml(url(message));
  std::string line(text);
  if (line.empty()) line = message == "hotline_none" ? choice.script->hotline_none : choice.script->hotline_public;
  if (auto at = line.find("{network}"); at != std::string::npos) line.replace(at, 9, network);
  return SayXml(*choice.script, line);
}

}  // namespace tocsin
