// What a key pressed during a call means. Pure.
//   "1" -> kGoing, "2" -> kCannot, "9" -> kRepeat, anything else (another key, "", "#")
//   -> kOther (the call plays the prompt again).
#pragma once

#include <string_view>

namespace tocsin {

enum class VoiceKey { kGoing, kCannot, kRepeat, kOther };

inline VoiceKey ParseVoiceKey(std::string_view digits) {
  if (digits == "1") return VoiceKey::kGoing;
  if (digits == "2") return VoiceKey::kCannot;
  if (digits == "9") return VoiceKey::kRepeat;
  return VoiceKey::kOther;
}

}  // namespace tocsin
