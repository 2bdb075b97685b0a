#include "dispatch/message/report_words.h"

#include <toml++/toml.h>

#include "dispatch/util/fold_case.h"

namespace tocsin {
namespace {

constexpr std::pair<std::string_view, ReportWord> kKeys[] = {
    {"raid", ReportWord::kRaid},
    {"report", ReportWord::kReport},
    {"check", ReportWord::kCheck},
    {"detained", ReportWord::kDetained}};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

ReportWords::ReportWords() {
  // Distinct non-empty words: these cannot fail.
  (void)Add("RAID", ReportWord::kRaid, "built in");
  (void)Add("REPORT", ReportWord::kReport, "built in");
  (void)Add("CHECK", ReportWord::kCheck, "built in");
  (void)Add("DETAINED", ReportWord::kDetained, "built in");
}

std::string ReportWords::Normalise(std::string_view word) {
  std::string out = FoldCase(word);
  // Trailing punctuation, ASCII and Arabic (، U+060C, ؟ U+061F, each two bytes in UTF-8).
  for (bool changed = true; changed && !out.empty();) {
    changed = false;
    if (std::string_view(".,!?:;").find(out.back()) != std::string_view::npos) {
      out.pop_back();
      changed = true;
    } else if (out.size() >= 2 && (out.ends_with("\xD8\x8C") || out.ends_with("\xD8\x9F"))) {
      out.resize(out.size() - 2);
      changed = true;
    }
  }
  return out;
}

Status ReportWords::Add(std::string_view word, ReportWord what, std::string_view where, std::string_view language) {
  auto key = Normalise(word);
  if (key.empty()) return Error::Invalid(std::string(where), std::string(where) + ": a word may not be empty");
  auto [it, inserted] = words_.emplace(key, Known{what, std::string(language)});
  if (!inserted && it->second.what != what) {
    return Error::Invalid(std::string(where), std::string(where) + ": \"" + std::string(word) +
                                                  "\" already opens another command");
  }
  if (!inserted && it->second.language != language) it->second.language.clear();  // shared: nobody's
  return Ok{};
}

Result<ReportWords> ReportWords::LoadDirectory(const std::filesystem::path& dir) {
  ReportWords words;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".toml") continue;
    const std::string file = it->path().filename().string();
    toml::table root;
    try {
      root = toml::parse_file(it->path().string());
    } catch (const toml::parse_error& e) {
      return Error{ErrorCode::kMalformed, file + ": " + std::string(e.description()), "templates"};
    }
    const auto* table = root["reports"].as_table();
    if (table == nullptr) continue;
    for (const auto& [key, what] : kKeys) {
      const auto* node = table->get(key);
      if (node == nullptr) continue;
      const std::string where = file + ": reports." + std::string(key);
      const auto* list = node->as_array();
      if (list == nullptr) return Error::Invalid(where, where + " must be a list of words");
      for (const auto& item : *list) {
        const auto* text = item.as_string();
        if (text == nullptr) return Error::Invalid(where, where + " must be a list of words");
        if (auto s = words.Add(text->get(), what, where, it->path().stem().string()); !s.ok()) return s.error();
      }
    }
  }
  if (ec) return Error::Invalid("templates", "cannot read template directory " + dir.string() + ": " + ec.message());
  return words;
}

std::optional<ReportCommand> ReportWords::Match(std::string_view body) const {
  std::size_t i = 0;
  while (i < body.size() && IsSpace(body[i])) ++i;
  std::size_t end = i;
  while (end < body.size() && !IsSpace(body[end])) ++end;
  auto found = words_.find(Normalise(body.substr(i, end - i)));
  if (found == words_.end()) return std::nullopt;
  std::string_view rest = body.substr(end);
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && IsSpace(rest.back())) rest.remove_suffix(1);
  return ReportCommand{found->second.what, std::string(rest), found->second.language};
}

}  // namespace tocsin
