// What one call says, line by line (message/voice_twiml.h's CallLines), and the recordings that
// stand in for a voice where none speaks the language.
//
// Rules:
//  1. A language with a voice (its [voice] has tts = true) is said in that language.
//  2. A language without one (tts = false) is said by the English script, with the English
//     text of the alert; except each line the network recorded in that language, played instead
//     (<Play> of its signed URL). The alert line's recording is the one named by the alert's
//     kind ("raid": a generic "there is a raid near you"): the SMS in the member's language
//     carries the place.
//  3. A tiered alert's place after 1 is said (in English when rule 2 applies), never played:
//     no recording can hold it.
//  4. A relay node's call (its text names whom they must phone) asks them to press 1 once they
//     have called them, and thanks them for it (relay_prompt, relay_going), never the
//     recordings of the usual prompt and confirmation.
//
// Recordings: the messages a network may record are kRecordingMessages; each is audio/mpeg or
// audio/wav of at most kMaxRecordingBytes. Pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/message/voice_scripts.h"
#include "dispatch/message/voice_twiml.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

inline constexpr std::size_t kMaxRecordingBytes = 2 * 1024 * 1024;
inline constexpr std::array<std::string_view, 10> kRecordingMessages = {
    "raid", "detention", "removal", "other",                 // the alert line, by kind
    "prompt", "going", "cannot", "goodbye",                  // the keys and their answers
    "hotline_none", "hotline_public"};                        // the hotline (engine/hotline.h)

// Those of `languages` no voice speaks (VoiceScripts::For falls back).
std::vector<std::string> VoicelessLanguages(const VoiceScripts& scripts, const std::vector<std::string>& languages);

// Errors name the field: "message" (not one of kRecordingMessages), "Content-Type" (not
// audio/mpeg nor audio/wav), "body" (empty; more than kMaxRecordingBytes: kTooLarge).
Status CheckRecording(std::string_view message, std::string_view content_type, std::size_t bytes);

// The signed URL of the network's recording `message` in the call's language.
using RecordingUrl = std::function<std::string(std::string_view message)>;

// Where Twilio fetches a recording: {public_url}/twilio/recordings/{network_id}/{language}/
// {message}?sig={RecordingSignature}. The signature is a keyed hash under the network's own
// subkey (DataCipher::LookupHash of "recording/{language}/{message}", which no phone number can
// be), so a URL cannot be forged or moved to another network's recording.
std::string RecordingSignature(const DataCipher& cipher, std::int64_t network_id, std::string_view language,
                               std::string_view message);
std::string SignedRecordingUrl(const DataCipher& cipher, std::string_view public_url, std::int64_t network_id,
                               std::string_view language, std::string_view message);

struct CallText {
  std::string language;  // the member's (of `text`)
  std::string text;      // the alert message in `language`
  std::string english;   // the alert message in English ("" when `text` is English)
  std::string kind;      // the alert's kind (raid, ...): its recording's name
  std::string location, details;  // a tiered alert's place, told after 1; else empty
  bool relay = false;             // rule 4
};

// Rules 1-4. `recorded`: the messages the network recorded in the call's language.
CallLines LinesForCall(const VoiceScripts& scripts, const CallText& call, const std::set<std::string>& recorded,
                       const RecordingUrl& url);

// One hotline line (hotline_none, hotline_public) for a caller in `language`, by rules 1-2;
// `text` (when not empty) replaces the script's (the network's own voice message), {network}
// is `network`.
std::string HotlineLine(const VoiceScripts& scripts, std::string_view language, std::string_view message,
                        std::string_view text, std::string_view network, const std::set<std::string>& recorded,
                        const RecordingUrl& url);

}  // namespace tocsin
