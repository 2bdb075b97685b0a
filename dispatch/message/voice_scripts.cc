#include "dispatch/message/voice_scripts.h"

#include <optional>
#include <vector>

#include "dispatch/message/toml_directory.h"

namespace tocsin {

Result<VoiceScripts> VoiceScripts::LoadDirectory(const std::filesystem::path& dir) {
  Result<std::vector<TomlFile>> files = ReadTomlDirectory(dir);
  if (!files.ok()) return files.error();
  VoiceScripts out;
  for (const TomlFile& toml_file : files.value()) {
    const std::filesystem::path& path = toml_file.path;
    const std::string file = path.filename().string();
    const toml::table& root = toml_file.root;
    const toml::table* voice = root["voice"].as_table();
    if (voice == nullptr) continue;
    const std::optional<bool> tts = (*voice)["tts"].value<bool>();
    if (!tts) {
      return Error::Invalid("voice.tts", file + ": missing boolean 'voice.tts'");
    }
    if (!*tts) continue;
    VoiceScript script;
    const std::pair<const char*, std::string*> fields[] = {
        {"say_language", &script.say_language}, {"say_voice", &script.say_voice},
        {"prompt", &script.prompt},             {"going", &script.going},
        {"going_place", &script.going_place},
        {"cannot", &script.cannot},             {"goodbye", &script.goodbye},
        {"hotline_none", &script.hotline_none}, {"hotline_public", &script.hotline_public},
        {"relay_prompt", &script.relay_prompt}, {"relay_going", &script.relay_going},
        {"alert_ended", &script.alert_ended},   {"hotline_report", &script.hotline_report},
        {"report_record", &script.report_record}, {"report_thanks", &script.report_thanks}};
    for (const auto& [key, target] : fields) {
      const std::string full = std::string("voice.") + key;
      const auto text = (*voice)[key].value<std::string>();
      const bool may_be_empty = std::string_view(key) == "say_voice";
      if (!text || (text->empty() && !may_be_empty)) {
        return Error::Invalid(full, file + ": missing string '" + full + "'");
      }
      *target = *text;
    }
    out.scripts_.emplace(path.stem().string(), std::move(script));
  }
  if (out.scripts_.find("en") == out.scripts_.end()) {
    return Error::Invalid("voice", "no [voice] with tts = true in en.toml in " + dir.string() +
                                       ": English is what calls fall back to");
  }
  return out;
}

VoiceScripts::Choice VoiceScripts::For(std::string_view language) const {
  if (auto it = scripts_.find(language); it != scripts_.end()) {
    return {&it->second, it->first, false};
  }
  const auto en = scripts_.find("en");
  return {en == scripts_.end() ? nullptr : &en->second, "en", true};
}

}  // namespace tocsin
