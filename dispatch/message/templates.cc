#include "dispatch/message/templates.h"

#include <toml++/toml.h>

#include <algorithm>

#include "dispatch/message/toml_directory.h"

namespace tocsin {
namespace {

constexpr std::string_view kLastFallback = "en";

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Top-level keys added after operators may have written template files of their own: a file
// may lack them. A language lacking one renders it in the fallback language, else in English;
// an en.toml lacking one gets the text shipped in config/templates/en.toml, copied here.
struct LateKey {
  std::string_view key;
  std::string_view shipped_en;
};
constexpr LateKey kLateKeys[] = {
    {"email_failed", "{network}: alert {code} could not be emailed to {organisation}: their mail server refused it "
                     "or never took it. Please contact them another way."},
};

// The texts of reports (issue 12) as shipped in config/templates/en.toml: an en.toml without
// its [reports] table still renders them.
constexpr LateKey kShippedReportTexts[] = {
    {"received", "Thank you. Report {code} received: people nearby are checking it now. Stay safe."},
    {"ask_area", "Thank you. Which area is it in? Reply with the postcode district, e.g. SE15."},
    {"verify", "{network} needs a check ({code}): reported {location} in {areas}. {details}\nCan you check safely? "
               "Reply 1 {code} = I see it, 2 {code} = not there."},
    {"confirmed", "Report {code} was confirmed and the network has been alerted ({message}). Thank you."},
    {"dismissed", "Report {code}: people nearby could not see it, so no alert was sent. Thank you for telling us."},
    {"check_verified", "Verified alert in {areas} since {message} ({code})."},
    {"check_none", "No verified report in {areas} in the last 2 hours; {count} being checked."},
    {"unconfirmed", "unconfirmed report"},
    {"thanks", "Thank you for checking report {code}. Stay safe."},
    {"verify_many", "{network} needs a check ({code}): {count} people reported {location} in {areas}. {details}\nCan "
                    "you check safely? Reply 1 {code} = I see it, 2 {code} = not there."},
    {"thanks_many", "Thank you for checking report {code} ({count} people reported it). Stay safe."},
    {"verify_timeout", "Nobody has confirmed report {code} yet: {location} in {areas}. {details}\nReply 1 {code} to alert "
                       "the network, 2 {code} to dismiss it."},
    {"merged_update", "Another report of what alert {code} is about came in ({areas}, {count} reporters now). Send an "
                      "update if it adds anything."},
};

const LateKey* FindLateKey(std::string_view key) {
  for (const auto& late : kLateKeys) {
    if (late.key == key) return &late;
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string>& TemplateSet::Kinds() {
  static const std::vector<std::string> kinds = {"raid", "detention", "removal", "other"};
  return kinds;
}

namespace {

// "prefix" + "kind." + "key" (or "prefix" + "key" for an empty kind), once both are known.
Result<std::string> FullKey(std::string_view prefix, const std::vector<std::string>& top_keys,
                            const std::vector<std::string>& kind_keys, std::string_view kind,
                            std::string_view key) {
  if (!kind.empty() && !Contains(TemplateSet::Kinds(), kind)) {
    return Error::Invalid("kind", "unknown alert kind " + Quoted(kind));
  }
  if (kind.empty() ? !Contains(top_keys, key) : !Contains(kind_keys, key)) {
    return Error::Invalid("key", "unknown template key " + Quoted(key));
  }
  std::string full(prefix);
  if (!kind.empty()) full.append(kind).append(".");
  return full.append(key);
}

}  // namespace

const std::vector<std::string>& TemplateSet::KindKeys() {
  static const std::vector<std::string> keys = {"alert", "update", "resolve", "cancel", "alert_tiered"};
  return keys;
}

const std::vector<std::string>& TemplateSet::TopLevelKeys() {
  static const std::vector<std::string> keys = {"help",       "confirm_going",  "confirm_cannot",
                                                "stopped",    "started",        "stand_down",
                                                "reminder",   "code_unknown",   "code_ended",
                                                "still_open", "none_open",      "relay_call",
                                                "relay_more", "relay_separator", "relay_none",
                                                "webhook_failed", "approval_needed", "reminder_tiered",
                                                "confirm_going_place", "email_failed"};
  return keys;
}

const std::vector<std::string>& TemplateSet::Placeholders() {
  static const std::vector<std::string> names = {"code",    "location", "details", "deadline",
                                                 "message", "network",  "codes",   "people",
                                                 "count",   "areas",    "link",    "answer",
                                                 "organisation", "pseudonym", "where", "reference", "roles"};
  return names;
}

const std::vector<std::string>& TemplateSet::ReportKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto& text : kShippedReportTexts) out.emplace_back(text.key);
    return out;
  }();
  return keys;
}

const std::vector<std::string>& TemplateSet::CaseKeys() {
  static const std::vector<std::string> keys = {"legal",    "mp",       "bail",     "family",
                                                "campaign", "campaign_private", "withheld", "consent_missing",
                                                "detained_received", "removal", "removal_private",
                                                "done_thanks"};
  return keys;
}

const std::vector<std::string>& TemplateSet::EmailKindKeys() {
  static const std::vector<std::string> keys = {"subject", "body"};
  return keys;
}

const std::vector<std::string>& TemplateSet::EmailKeys() {
  static const std::vector<std::string> keys = {"answer_link", "answer_coordinator"};
  return keys;
}

Result<TemplateSet::Compiled> TemplateSet::Compile(std::string_view text, std::string_view file,
                                                   std::string_view key) {
  auto fail = [&](const std::string& why) {
    return Error::Invalid(std::string(key), std::string(file) + ": " + Quoted(key) + ": " + why);
  };
  Compiled out;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      return fail("unmatched '}' (write '}}' for a literal brace)");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos)
      return fail("unterminated '{' (write '{{' for a literal brace)");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (!Contains(Placeholders(), name))
      return fail("unknown placeholder {" + std::string(name) + "}");
    if (!literal.empty()) out.push_back({false, std::move(literal)});
    literal.clear();
    out.push_back({true, std::string(name)});
    i = close;
  }
  if (!literal.empty()) out.push_back({false, std::move(literal)});
  return out;
}

Result<TemplateSet> TemplateSet::LoadDirectory(const std::filesystem::path& dir) {
  Result<std::vector<TomlFile>> files = ReadTomlDirectory(dir);
  if (!files.ok()) return files.error();

  TemplateSet set;
  for (const TomlFile& toml_file : files.value()) {
    const std::filesystem::path& path = toml_file.path;
    const std::string file = path.filename().string();
    const toml::table& root = toml_file.root;

    Language language;
    auto add = [&](const std::string& key, toml::node_view<const toml::node> node) -> Status {
      const toml::value<std::string>* text = node.as_string();
      if (text == nullptr) return Error::Invalid(key, file + ": missing string " + Quoted(key));
      Result<Compiled> compiled = Compile(text->get(), file, key);
      if (!compiled.ok()) return compiled.error();
      language.emplace(key, std::move(compiled).value());
      return Ok{};
    };
    for (const std::string& key : TopLevelKeys()) {
      if (FindLateKey(key) && !root[key]) continue;  // older files: rendered from a fallback
      if (Status s = add(key, root[key]); !s.ok()) return s.error();
    }
    for (const std::string& kind : Kinds()) {
      if (!root[kind].is_table()) {
        return Error::Invalid(kind, file + ": missing table " + Quoted("[" + kind + "]"));
      }
      for (const std::string& key : KindKeys()) {
        if (Status s = add(kind + "." + key, root[kind][key]); !s.ok()) return s.error();
      }
    }
    if (!root["email"].is_table()) {
      return Error::Invalid("email", file + ": missing table " + Quoted("[email]"));
    }
    for (const std::string& key : EmailKeys()) {
      if (Status s = add("email." + key, root["email"][key]); !s.ok()) return s.error();
    }
    for (const std::string& kind : Kinds()) {
      if (!root["email"][kind].is_table()) {
        return Error::Invalid("email." + kind,
                              file + ": missing table " + Quoted("[email." + kind + "]"));
      }
      for (const std::string& key : EmailKindKeys()) {
        const std::string full = "email." + kind + "." + key;
        if (Status s = add(full, root["email"][kind][key]); !s.ok()) return s.error();
      }
    }
    // Reports (issue 12): optional in every file; English falls back to the shipped texts.
    for (const std::string& key : ReportKeys()) {
      if (!root["reports"][key]) continue;
      if (Status s = add("reports." + key, root["reports"][key]); !s.ok()) return s.error();
    }
    // Cases (issue 13): optional in every file.
    for (const std::string& key : CaseKeys()) {
      if (!root["cases"][key]) continue;
      if (Status s = add("cases." + key, root["cases"][key]); !s.ok()) return s.error();
    }
    if (path.stem().string() == kLastFallback) {
      for (const auto& shipped : kShippedReportTexts) {
        const std::string full = "reports." + std::string(shipped.key);
        if (language.count(full)) continue;
        auto compiled = Compile(shipped.shipped_en, file, full);
        if (!compiled.ok()) return compiled.error();
        language.emplace(full, std::move(compiled).value());
      }
      for (const auto& late : kLateKeys) {
        if (language.count(late.key)) continue;
        auto compiled = Compile(late.shipped_en, file, late.key);
        if (!compiled.ok()) return compiled.error();
        language.emplace(std::string(late.key), std::move(compiled).value());
      }
    }
    set.languages_.emplace(path.stem().string(), std::move(language));
  }
  if (!set.HasLanguage(kLastFallback)) {
    return Error::Invalid("templates", "no en.toml in " + dir.string() +
                                           ": English is the last fallback and must exist");
  }
  return set;
}

std::string Tidy(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n')) continue;
    if (c == '\n' && !out.empty() && out.back() == ' ') out.pop_back();
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

Result<std::string> TemplateSet::Render(std::string_view language,
                                        std::string_view fallback_language, std::string_view kind,
                                        std::string_view key,
                                        const std::map<std::string, std::string>& vars) const {
  Result<std::string> full_key = FullKey("", TopLevelKeys(), KindKeys(), kind, key);
  if (!full_key.ok()) return full_key.error();
  return RenderKey(language, fallback_language, full_key.value(), vars);
}

Result<std::string> TemplateSet::RenderEmail(std::string_view language,
                                             std::string_view fallback_language,
                                             std::string_view kind, std::string_view key,
                                             const std::map<std::string, std::string>& vars) const {
  Result<std::string> full_key = FullKey("email.", EmailKeys(), EmailKindKeys(), kind, key);
  if (!full_key.ok()) return full_key.error();
  return RenderKey(language, fallback_language, full_key.value(), vars);
}

// (RenderKey is a member with few parameters on purpose: a private member taking the key lists
// as well made GCC 12 crash compiling engine/delivery_writer.cc, which includes this header.)
Result<std::string> TemplateSet::RenderKey(std::string_view language,
                                           std::string_view fallback_language,
                                           const std::string& full_key,
                                           const std::map<std::string, std::string>& vars) const {
  auto it = languages_.find(language);
  if (it == languages_.end()) it = languages_.find(fallback_language);
  if (it == languages_.end()) it = languages_.find(kLastFallback);
  if (it == languages_.end()) return Error::Internal("template set is empty");  // not loaded

  if (!it->second.count(full_key) && FindLateKey(full_key)) {  // a file older than the key
    for (std::string_view other : {fallback_language, kLastFallback}) {
      auto lang = languages_.find(other);
      if (lang != languages_.end() && lang->second.count(full_key)) {
        it = lang;
        break;
      }
    }
  }
  const auto found = it->second.find(full_key);
  if (found == it->second.end()) return Error::Internal("template missing after load: " + full_key);

  std::string out;
  for (const Piece& piece : found->second) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    const auto value = vars.find(piece.text);
    if (value == vars.end()) {
      return Error::Invalid(piece.text,
                            "no value for placeholder {" + piece.text + "} in " + Quoted(full_key));
    }
    out += value->second;
  }
  return Tidy(out);
}

Result<std::string> TemplateSet::RenderFirstHaving(std::string_view language, std::string_view fallback_language,
                                                   const std::string& full_key,
                                                   const std::map<std::string, std::string>& vars) const {
  for (std::string_view lang : {language, fallback_language, kLastFallback}) {
    auto it = languages_.find(lang);
    if (it != languages_.end() && it->second.count(full_key)) return RenderKey(lang, lang, full_key, vars);
  }
  return Error::Invalid("key", "no language has the template " + Quoted(full_key));
}

Result<std::string> TemplateSet::RenderReport(std::string_view language, std::string_view fallback_language,
                                              std::string_view key,
                                              const std::map<std::string, std::string>& vars) const {
  // en always has every report text (shipped ones built in).
  if (!Contains(ReportKeys(), key)) return Error::Invalid("key", "unknown template key " + Quoted(key));
  return RenderFirstHaving(language, fallback_language, "reports." + std::string(key), vars);
}

Result<std::string> TemplateSet::RenderCase(std::string_view language, std::string_view fallback_language,
                                            std::string_view key,
                                            const std::map<std::string, std::string>& vars) const {
  if (!Contains(CaseKeys(), key)) return Error::Invalid("key", "unknown template key " + Quoted(key));
  return RenderFirstHaving(language, fallback_language, "cases." + std::string(key), vars);
}

bool TemplateSet::HasLanguage(std::string_view language) const {
  return languages_.find(language) != languages_.end();
}

std::vector<std::string> TemplateSet::Languages() const {
  std::vector<std::string> out;
  for (const auto& [code, unused] : languages_) out.push_back(code);
  return out;
}

}  // namespace tocsin
