#include "dispatch/message/voice_twiml.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "dispatch/message/call_lines.h"
#include "dispatch/message/voice_scripts.h"
#include "dispatch/model/voice_key.h"
#include "tests/support/shipped_templates.h"

namespace tocsin {
namespace {

VoiceScripts Shipped() {
  Result<VoiceScripts> scripts = VoiceScripts::LoadDirectory(test::kShippedTemplates);
  if (!scripts.ok()) FAIL(scripts.error().message);
  return std::move(scripts).value();
}

std::size_t Count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("voice: shipped scripts: en, fr, ar speak; fa falls back to English", "[voice]") {
  const VoiceScripts scripts = Shipped();
  for (const char* language : {"en", "fr", "ar"}) {
    INFO(language);
    const auto choice = scripts.For(language);
    REQUIRE(choice.script != nullptr);
    CHECK_FALSE(choice.fell_back);
    CHECK(choice.language == language);
    CHECK_FALSE(choice.script->prompt.empty());
  }
  CHECK(scripts.For("fr").script->say_language == "fr-FR");
  const auto fa = scripts.For("fa");
  CHECK(fa.fell_back);
  CHECK(fa.language == "en");
  CHECK(fa.script->say_language == "en-GB");
  CHECK(scripts.For("xx").fell_back);
}

TEST_CASE("voice: a bad [voice] table names the key", "[voice]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tocsin_voice_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto load_with = [&](const std::string& en) {
    std::ofstream(dir / "en.toml", std::ios::trunc) << en;
    return VoiceScripts::LoadDirectory(dir);
  };
  const std::string good =
      "[voice]\ntts = true\nsay_language = \"en-GB\"\nsay_voice = \"\"\nprompt = \"p\"\n"
      "going = \"g\"\ngoing_place = \"g {location}\"\ncannot = \"c\"\ngoodbye = \"b\"\n"
      "hotline_none = \"n\"\nhotline_public = \"p\"\nrelay_prompt = \"rp\"\nrelay_going = \"rg\"\n"
      "alert_ended = \"e\"\nhotline_report = \"h\"\nreport_record = \"r\"\nreport_thanks = \"t\"\n";
  CHECK(load_with(good).ok());
  auto missing = load_with("[voice]\ntts = true\nsay_language = \"en-GB\"\n");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().field == "voice.say_voice");
  CHECK(missing.error().message == "en.toml: missing string 'voice.say_voice'");
  auto no_tts = load_with("[voice]\nprompt = \"p\"\n");
  REQUIRE_FALSE(no_tts.ok());
  CHECK(no_tts.error().field == "voice.tts");
  auto english_silent = load_with("[voice]\ntts = false\n");
  REQUIRE_FALSE(english_silent.ok());
  CHECK(english_silent.error().field == "voice");
  std::filesystem::remove_all(dir);
}

TEST_CASE("voice: the prompt reads the alert twice inside Gathers, escaped, in the language",
          "[voice]") {
  const VoiceScripts scripts = Shipped();
  const VoiceScript& fr = *scripts.For("fr").script;
  const std::string action = "https://tocsin.example/twilio/voice/tok123/answer?a=1&b=2";
  const std::string twiml = PromptTwiml(fr, "Rafle <Peckham> & \"Rye\"", action);
  CHECK(twiml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather "));
  CHECK(twiml.ends_with("</Response>"));
  CHECK(Count(twiml, "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"8\"") == 2);
  CHECK(Count(twiml, "Rafle &lt;Peckham&gt; &amp; &quot;Rye&quot;") == 2);
  CHECK(Count(twiml, "<Say language=\"fr-FR\" voice=\"Polly.Lea\">") == 5);  // 2 x 2 + goodbye
  CHECK(twiml.find("<Peckham>") == std::string::npos);
  CHECK(twiml.find("action=\"https://tocsin.example/twilio/voice/tok123/answer?a=1&amp;b=2\"") !=
        std::string::npos);
  CHECK(twiml.find(fr.goodbye.substr(0, 10)) > twiml.rfind("</Gather>"));
}

TEST_CASE("voice: keys and confirmations", "[voice]") {
  CHECK(ParseVoiceKey("1") == VoiceKey::kGoing);
  CHECK(ParseVoiceKey("2") == VoiceKey::kCannot);
  CHECK(ParseVoiceKey("9") == VoiceKey::kRepeat);
  for (const char* other : {"", "3", "#", "12", "*"}) CHECK(ParseVoiceKey(other) == VoiceKey::kOther);
  const VoiceScripts scripts = Shipped();
  const VoiceScript& ar = *scripts.For("ar").script;
  const std::string going = GoingTwiml(ar);
  CHECK(going.find("<Say language=\"arb\" voice=\"Polly.Zeina\">" + ar.going + "</Say>") !=
        std::string::npos);
  CHECK(going.find("<Gather") == std::string::npos);
  CHECK(CannotTwiml(ar).find(ar.cannot) != std::string::npos);
  VoiceScript plain = ar;
  plain.say_voice.clear();
  CHECK(GoingTwiml(plain).find("<Say language=\"arb\">") != std::string::npos);
  // A tiered alert's place is told after 1, escaped; without one, the plain confirmation.
  const VoiceScript& en = *scripts.For("en").script;
  const std::string placed = GoingTwiml(en, "Rye Lane & Bellenden", "3 vans");
  CHECK(placed.find("The place: Rye Lane &amp; Bellenden. 3 vans") != std::string::npos);
  CHECK(placed.find("{location}") == std::string::npos);
  CHECK(GoingTwiml(en, "", "3 vans").find("3 vans") == std::string::npos);
}

TEST_CASE("voice: a language without a voice plays what the network recorded, English for the rest",
          "[voice][recordings]") {
  const VoiceScripts scripts = Shipped();
  const RecordingUrl url = [](std::string_view m) { return "https://t.example/rec/" + std::string(m) + "?sig=x&y"; };
  const CallText fa{"fa", "FARSI TEXT", "RAID K7Q4: Rye Lane", "raid", "", "", false};
  // Rule 2: nothing recorded: all English, the English text.
  auto plain = LinesForCall(scripts, fa, {}, url);
  CHECK(plain.alert.find("RAID K7Q4: Rye Lane") != std::string::npos);
  CHECK(plain.alert.find("en-GB") != std::string::npos);
  // Recorded lines are played (escaped URL), the others read in English.
  auto mixed = LinesForCall(scripts, fa, {"raid", "prompt", "going"}, url);
  CHECK(mixed.alert == "<Play>https://t.example/rec/raid?sig=x&amp;y</Play>");
  CHECK(mixed.prompt == "<Play>https://t.example/rec/prompt?sig=x&amp;y</Play>");
  CHECK(mixed.going == "<Play>https://t.example/rec/going?sig=x&amp;y</Play>");
  CHECK(mixed.cannot.find("<Say language=\"en-GB\"") == 0);
  // Rule 3: a tiered place is said, never played. Rule 1: a language with a voice plays nothing.
  CallText tiered = fa;
  tiered.location = "Rye Lane";
  CHECK(LinesForCall(scripts, tiered, {"going"}, url).going.find("Rye Lane") != std::string::npos);
  const CallText fr{"fr", "RAFLE", "RAID", "raid", "", "", false};
  CHECK(LinesForCall(scripts, fr, {"raid"}, url).alert.find("<Say language=\"fr-FR\"") == 0);
  // The hotline: the network's own message, else the template's with its name, else a recording.
  CHECK(HotlineLine(scripts, "en", "hotline_public", "", "Peckham", {}, url).find("You have reached Peckham.") !=
        std::string::npos);
  CHECK(HotlineLine(scripts, "en", "hotline_public", "Text HELP", "Peckham", {}, url).find(">Text HELP<") !=
        std::string::npos);
  CHECK(HotlineLine(scripts, "fa", "hotline_none", "", "P", {"hotline_none"}, url).starts_with("<Play>"));
  CHECK(VoicelessLanguages(scripts, {"en", "fa", "fr", "ar"}) == std::vector<std::string>{"fa"});
}

TEST_CASE("voice: recordings are checked, naming the field", "[voice][recordings]") {
  CHECK(CheckRecording("raid", "audio/mpeg", 10).ok());
  CHECK(CheckRecording("hotline_public", "audio/wav", kMaxRecordingBytes).ok());
  CHECK(CheckRecording("song", "audio/mpeg", 10).error().field == "message");
  CHECK(CheckRecording("raid", "audio/ogg", 10).error().field == "Content-Type");
  CHECK(CheckRecording("raid", "audio/wav", 0).error().field == "body");
  auto big = CheckRecording("raid", "audio/wav", kMaxRecordingBytes + 1);
  CHECK(big.error().field == "body");
  CHECK(big.error().code == ErrorCode::kTooLarge);
}

}  // namespace tocsin

namespace tocsin {

TEST_CASE("voice: a relay node is asked to press 1 once they have called their branch, in each shipped language",
          "[voice][relay]") {
  const VoiceScripts scripts = Shipped();
  const RecordingUrl url = [](std::string_view m) { return "https://t.example/rec/" + std::string(m); };
  for (const char* language : {"en", "fr", "ar", "fa"}) {
    INFO(language);
    const auto choice = scripts.For(language);
    CallText relay{language, "ALERT. Please call: Bo", "", "raid", "", "", true};
    auto lines = LinesForCall(scripts, relay, {"prompt", "going"}, url);
    CHECK(lines.prompt == SayXml(*choice.script, choice.script->relay_prompt));
    CHECK(lines.going == SayXml(*choice.script, choice.script->relay_going));
    CHECK(lines.prompt != SayXml(*choice.script, choice.script->prompt));
    relay.relay = false;
    CHECK(LinesForCall(scripts, relay, {}, url).prompt == SayXml(*choice.script, choice.script->prompt));
  }
  CHECK(scripts.For("en").script->relay_prompt.find("once you have called them") != std::string::npos);
  CHECK(scripts.For("fr").script->relay_prompt.find("appelés") != std::string::npos);
  // A call whose alert ended says so, in its language.
  const CallText fr{"fr", "RAFLE", "RAID", "raid", "", "", false};
  CHECK(LinesForCall(scripts, fr, {}, url).ended.find("Cette alerte est terminée") != std::string::npos);
}

}  // namespace tocsin
