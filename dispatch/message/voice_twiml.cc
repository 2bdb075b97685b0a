#include "dispatch/message/voice_twiml.h"

namespace tocsin {
namespace {

constexpr std::string_view kHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>";
constexpr std::string_view kFooter = "</Response>";

std::string Say(const VoiceScript& script, std::string_view text) {
  std::string out = "<Say language=\"" + XmlEscape(script.say_language) + "\"";
  if (!script.say_voice.empty()) out += " voice=\"" + XmlEscape(script.say_voice) + "\"";
  return out + ">" + XmlEscape(text) + "</Say>";
}

std::string Gather(const VoiceScript& script, std::string_view alert_text,
                   std::string_view action_url) {
  return "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"8\" action=\"" +
         XmlEscape(action_url) + "\" method=\"POST\">" + Say(script, alert_text) +
         Say(script, script.prompt) + "</Gather>";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string PromptTwiml(const VoiceScript& script, std::string_view alert_text,
                        std::string_view action_url) {
  // Twilio runs the next verb when a Gather hears nothing: the second Gather reads it again.
  const std::string gather = Gather(script, alert_text, action_url);
  return std::string(kHeader) + gather + gather + Say(script, script.goodbye) +
         std::string(kFooter);
}

std::string GoingTwiml(const VoiceScript& script) {
  return std::string(kHeader) + Say(script, script.going) + std::string(kFooter);
}

std::string CannotTwiml(const VoiceScript& script) {
  return std::string(kHeader) + Say(script, script.cannot) + std::string(kFooter);
}

}  // namespace tocsin
