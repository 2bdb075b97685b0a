// The TwiML a call plays (Twilio's voice markup), built when the call is placed so that the
// call's webhooks answer from memory with no database round trip.
//
//   Prompt:  the alert and the key prompt, read inside a <Gather input="dtmf" numDigits="1"
//            timeout="8" action=...>, twice (a second Gather after the first), then goodbye.
//   Going / Cannot: the confirmation of a key pressed (model/voice_key.h says which), said
//            once; for 9 or any other key the call plays the prompt again.
//
// A call is built from its lines (CallLines): each a TwiML fragment, <Say> in the script's
// language (and its voice when it names one), or <Play> of a network's recording for a language
// no voice speaks (model/recording.h). A call that goes on to another (the hotline reads each
// open alert in turn) ends with a <Redirect> to the next one's Url instead of goodbye.
//
// Every text and URL is XML-escaped. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dispatch/message/voice_scripts.h"

namespace tocsin {

// Escapes & < > " ' for element text and attribute values.
std::string XmlEscape(std::string_view text);

// <Say> of `text` by `script`; <Play> of `url`.
std::string SayXml(const VoiceScript& script, std::string_view text);
std::string PlayXml(std::string_view url);

// The fragments of one call.
struct CallLines {
  std::string alert;    // the alert itself
  std::string prompt;   // "press 1 ..."
  std::string goodbye;  // after two prompts unanswered
  std::string going;    // after 1
  std::string cannot;   // after 2
  std::string ended;    // instead of everything, once the alert ended
};

// Every line said by `script`; `going` tells a tiered alert's place when `location` is given.
CallLines SpokenLines(const VoiceScript& script, std::string_view alert_text, std::string_view location = "",
                      std::string_view details = "");

// The prompt document; with `next_url`, a <Redirect> there instead of goodbye.
std::string PromptTwimlOf(const CallLines& lines, std::string_view action_url, std::string_view next_url = "");
// A document of one fragment (a confirmation, a hotline message), then a <Redirect> to
// `next_url` when given.
std::string TwimlOf(std::string_view fragment, std::string_view next_url = "");

// What the hotline plays after 5: `say` (what to tell), a beep and <Record> of at most 2
// minutes, ended by # or silence, whose recording Twilio posts to `action_url`; then `after`
// (said when nothing was recorded: Twilio then skips the action).
std::string RecordTwimlOf(std::string_view say, std::string_view action_url, std::string_view after);

// Shorthands over SpokenLines for a call said wholly by `script`.
std::string PromptTwiml(const VoiceScript& script, std::string_view alert_text,
                        std::string_view action_url);
// After 1. A tiered alert's `location` (non-empty) is told then, with its `details`
// (script.going_place); else script.going.
std::string GoingTwiml(const VoiceScript& script, std::string_view location = "",
                       std::string_view details = "");
std::string CannotTwiml(const VoiceScript& script);

}  // namespace tocsin
