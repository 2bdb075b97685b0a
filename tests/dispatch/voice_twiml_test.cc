#include "dispatch/message/voice_twiml.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

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
      "going = \"g\"\ncannot = \"c\"\ngoodbye = \"b\"\n";
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
}

}  // namespace tocsin
