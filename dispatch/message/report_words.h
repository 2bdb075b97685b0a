// The words that open a report from the street or a rumour check by SMS (issue 12): "RAID SE15
// three vans", "REPORT detention at Yarl's Wood", "CHECK SE15", "DETAINED Colnbrook" (a case's
// person, from their own phone: server/api/case_sms.h), and their words in each shipped
// language, read from the [reports] table of config/templates/<lang>.toml:
//
//   [reports]
//   raid = ["RAFLE", "DESCENTE"]
//   report = ["SIGNALEMENT"]
//   check = ["VÉRIFIER", "VERIFIER"]
//
// Kept apart from the reply parser (model/reply_parser.h) on purpose: a report is a new message,
// not an answer to an alert, and other issues add words of their own there.
//
// Invariants once loaded:
//   1. The English words RAID, REPORT, CHECK and DETAINED are always known, with or without template files.
//   2. A word belongs to one command: the same word under two keys is a load error.
//   3. Words are compared without case (ASCII and Latin-1 letters: VÉRIFIER is vérifier) and
//      with trailing punctuation (. , ! ? : ; ، ؟) removed, so "raid:" is RAID.
//
// Thread safety: immutable after loading; share a const ReportWords freely.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

enum class ReportWord { kRaid, kReport, kCheck, kDetained };

// An SMS that opens with a report word: which, and the text after it (trimmed; may be empty).
struct ReportCommand {
  ReportWord word = ReportWord::kReport;
  std::string rest;
  // The template language whose word it is ("fr" for RAFLE); "" for the English words and a
  // word shared by several languages (the sender's language then stands).
  std::string language;
};

class ReportWords {
 public:
  // Only the English words.
  ReportWords();

  // The English words and those of every *.toml in `dir` that has a [reports] table (files
  // without one add nothing). A [reports] key that is not a list of non-empty strings, or a
  // word under two keys, is Error::Invalid naming the file and key ("fr.toml: reports.raid").
  static Result<ReportWords> LoadDirectory(const std::filesystem::path& dir);

  // The command `body` opens with, if its first word (split on ASCII whitespace) is a report
  // word; else nullopt.
  std::optional<ReportCommand> Match(std::string_view body) const;

 private:
  struct Known {
    ReportWord what;
    std::string language;  // as ReportCommand::language
  };
  // Adds `word` (normalised) as `what` of `language`; a word already known as another command is
  // an error.
  Status Add(std::string_view word, ReportWord what, std::string_view where, std::string_view language = "");
  static std::string Normalise(std::string_view word);

  // Immutable after construction/LoadDirectory.
  std::map<std::string, Known, std::less<>> words_;
};

}  // namespace tocsin
