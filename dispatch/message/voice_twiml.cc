#include "dispatch/message/voice_twiml.h"

#include <utility>

namespace tocsin {
namespace {

constexpr std::string_view kHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>";
constexpr std::string_view kFooter = "</Response>";

std::string Redirect(std::string_view url) {
  return "<Redirect method=\"POST\">" + XmlEscape(url) + "</Redirect>";
}

std::string Gather(const CallLines& lines, std::string_view action_url) {
  return "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"8\" action=\"" + XmlEscape(action_url) +
         "\" method=\"POST\">" + lines.alert + lines.prompt + "</Gather>";
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

std::string SayXml(const VoiceScript& script, std::string_view text) {
  std::string out = "<Say language=\"" + XmlEscape(script.say_language) + "\"";
  if (!script.say_voice.empty()) out += " voice=\"" + XmlEscape(script.say_voice) + "\"";
  return out + ">" + XmlEscape(text) + "</Say>";
}

std::string PlayXml(std::string_view url) { return "<Play>" + XmlEscape(url) + "</Play>"; }

CallLines SpokenLines(const VoiceScript& script, std::string_view alert_text, std::string_view location,
                      std::string_view details) {
  std::string going = script.going;
  if (!location.empty()) {
    going = script.going_place;
    for (const auto& [name, value] : {std::pair<std::string_view, std::string_view>{"{location}", location},
                                      {"{details}", details}}) {
      if (auto at = going.find(name); at != std::string::npos) going.replace(at, name.size(), value);
    }
  }
  return {SayXml(script, alert_text), SayXml(script, script.prompt), SayXml(script, script.goodbye),
          SayXml(script, going), SayXml(script, script.cannot), SayXml(script, script.alert_ended)};
}

std::string PromptTwimlOf(const CallLines& lines, std::string_view action_url, std::string_view next_url) {
  // Twilio runs the next verb when a Gather hears nothing: the second Gather reads it again.
  const std::string gather = Gather(lines, action_url);
  return std::string(kHeader) + gather + gather + (next_url.empty() ? lines.goodbye : Redirect(next_url)) +
         std::string(kFooter);
}

std::string TwimlOf(std::string_view fragment, std::string_view next_url) {
  return std::string(kHeader) + std::string(fragment) + (next_url.empty() ? "" : Redirect(next_url)) +
         std::string(kFooter);
}

std::string RecordTwimlOf(std::string_view say, std::string_view action_url, std::string_view after) {
  return std::string(kHeader) + std::string(say) + "<Record action=\"" + XmlEscape(action_url) +
         "\" method=\"POST\" maxLength=\"120\" timeout=\"10\" finishOnKey=\"#\" playBeep=\"true\"/>" +
         std::string(after) + std::string(kFooter);
}

std::string PromptTwiml(const VoiceScript& script, std::string_view alert_text, std::string_view action_url) {
  return PromptTwimlOf(SpokenLines(script, alert_text), action_url);
}

std::string GoingTwiml(const VoiceScript& script, std::string_view location, std::string_view details) {
  return TwimlOf(SpokenLines(script, "", location, details).going);
}

std::string CannotTwiml(const VoiceScript& script) { return TwimlOf(SayXml(script, script.cannot)); }

}  // namespace tocsin
