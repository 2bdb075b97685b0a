// The TwiML a call plays (Twilio's voice markup), built when the call is placed so that the
// call's webhooks answer from memory with no database round trip.
//
//   Prompt:  the alert and the key prompt, read inside a <Gather input="dtmf" numDigits="1"
//            timeout="8" action=...>, twice (a second Gather after the first), then goodbye.
//   Going / Cannot: the confirmation of a key pressed (model/voice_key.h says which), said
//            once; for 9 or any other key the call plays the prompt again.
//
// Every text is XML-escaped; every <Say> carries the script's language (and its voice when it
// names one). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dispatch/message/voice_scripts.h"

namespace tocsin {

// Escapes & < > " ' for element text and attribute values.
std::string XmlEscape(std::string_view text);

std::string PromptTwiml(const VoiceScript& script, std::string_view alert_text,
                        std::string_view action_url);

std::string GoingTwiml(const VoiceScript& script);
std::string CannotTwiml(const VoiceScript& script);

}  // namespace tocsin
