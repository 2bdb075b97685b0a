// VoiceScripts: what a call says, per language: the [voice] table of each
// config/templates/<lang>.toml (the same files as the SMS templates; the SMS loader ignores it).
//
//   [voice]
//   tts = true                 # false: no text-to-speech voice speaks this language
//   say_language = "en-GB"     # <Say language=...>
//   say_voice = "Polly.Amy"    # <Say voice=...>; "" for Twilio's default voice
//   prompt = "Press 1 if you can go, 2 if you cannot, 9 to hear it again."
//   going = "Thank you. You are down as going."
//   going_place = "Thank you. You are down as going. The place: {location}. {details}"
//                              # after 1 on a tiered alert (model/disclosure.h)
//   cannot = "Thank you. Noted that you cannot go."
//   goodbye = "We did not hear an answer. Goodbye."
//   hotline_none = "There is no open alert for you."   # a member calling in
//   hotline_public = "You have reached {network}. Goodbye."  # a stranger, when the network
//                                                            # has no voice message of its own
//   relay_prompt = "Press 1 once you have called them. ..."  # a relay node's keys (their call
//   relay_going = "Thank you. We have noted that you have called them."  # lists whom to phone)
//   alert_ended = "This alert has ended. ..."   # a call whose alert ended while it rang
//   hotline_report = "To report what you see, press 5."        # the hotline's report offer,
//   report_record = "After the tone, say what you see ..."     # what to say before <Record>,
//   report_thanks = "Thank you. Your report has been received. ..."  # and once it is taken
//
// Every string but say_voice must be non-empty when tts is true. A file without [voice], or
// with tts = false, has no script of its own: For() answers English's and says so (the issue's
// rule: absent a recording, the English text is read and the SMS carries the language).
//
// Invariants once LoadDirectory() succeeds:
//   1. "en" has a script with tts true (it is what every other language falls back to).
//   2. Every script held has every string.
//
// Thread safety: immutable after LoadDirectory().
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

struct VoiceScript {
  std::string say_language;
  std::string say_voice;
  std::string prompt;
  std::string going;
  std::string going_place;  // {location} and {details} are the alert's
  std::string cannot;
  std::string goodbye;
  std::string hotline_none;
  std::string hotline_public;  // {network} is the network's name
  std::string relay_prompt;
  std::string relay_going;
  std::string alert_ended;
  std::string hotline_report;
  std::string report_record;
  std::string report_thanks;
};

class VoiceScripts {
 public:
  // Reads [voice] from every *.toml in `dir`. A bad table is Error::Invalid whose message names
  // the file and the key ("fr.toml: missing string 'voice.prompt'") and whose field is the key;
  // unparseable TOML is kMalformed.
  static Result<VoiceScripts> LoadDirectory(const std::filesystem::path& dir);

  struct Choice {
    const VoiceScript* script = nullptr;  // never null after a successful load
    std::string language;                 // the language whose script it is
    bool fell_back = false;               // `language` is not the one asked for
  };
  // The script for `language`, else English's.
  Choice For(std::string_view language) const;

 private:
  // Immutable after LoadDirectory().
  std::map<std::string, VoiceScript, std::less<>> scripts_;
};

}  // namespace tocsin
