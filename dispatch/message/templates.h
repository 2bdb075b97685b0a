// Message templates per language (config/templates/*.toml).
//
// Every SMS text Tocsin sends comes from a template chosen by the member's language, so a
// resident of an asylum hotel gets the raid alert in Farsi and a neighbour gets it in English.
// A TemplateSet is loaded once from a directory holding one TOML file per language (the file
// stem is the language code: en.toml, ar.toml, ...). Each file must contain:
//
//   - one table per alert kind (raid, detention, removal, other), each with the string keys
//     alert (the first SMS), update, resolve, cancel and alert_tiered (the first SMS under tiered
//     disclosure, model/disclosure.h: the areas, never the place);
//   - top-level strings help, confirm_going, confirm_cannot, stopped, started, unknown,
//     stand_down, reminder, reminder_tiered, confirm_going_place (going to a tiered alert: its
//     place), approval_needed (to coordinators: a raise waits for a second one), webhook_failed,
//     email_failed (may be missing: rendered in the fallback language, else English, whose
//     shipped text is built in for an en.toml without it), and the call list of a relay tree's node (model/call_list.h):
//     relay_call ("Please call: {people}"), relay_more ("and {count} more: reply LIST"),
//     relay_separator (what stands between two people: "," or "،"; a space follows it) and
//     relay_none (the answer to LIST from someone with nobody to call);
//   - the email to an organisation (email_text.h): a table [email] with the strings
//     answer_link ("To answer, open {link}") and answer_coordinator (when there is no link), and
//     one table [email.<kind>] per alert kind with the strings subject and body.
//
// The texts of reports from the street (issue 12) are the strings of an optional [reports] table
// (ReportKeys(); its word lists are message/report_words.h's): a file without one renders them
// in the fallback language, else in English, whose shipped texts are built in.
//
// The texts of cases (issue 13: what each contact of a detained person is told, model/case_texts.h)
// are the strings of an optional [cases] table (CaseKeys()), rendered in the first of the
// language, the fallback and English that has them; the shipped files carry them all.
//
// Extra keys and tables are ignored (forward compatibility). Texts may use the placeholders
// {code} {location} {details} {deadline} {message} {network} {people} {count} {areas} {link}
// {answer} {organisation} {pseudonym} {where} {reference} {roles}; "{{" and "}}" are literal braces.
// Invariants once LoadDirectory() succeeds:
//   1. "en" is present (it is the last fallback) and has every key; every other language has
//      every kind and key but the late ones (email_failed).
//   2. Every template parsed, with only known placeholders and balanced braces.
//
// Rendering substitutes values verbatim: a value containing "{code}" is not expanded again.
//
// Thread safety: immutable after LoadDirectory(); share a const TemplateSet freely.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// Collapses runs of spaces into one, drops spaces at the start and end of lines and trailing
// blank lines: what an empty placeholder ("{details}") leaves behind in a rendered text.
std::string Tidy(std::string_view text);

class TemplateSet {
 public:
  // The alert kinds, the per-kind keys, the top-level keys and the placeholders, in order.
  static const std::vector<std::string>& Kinds();
  static const std::vector<std::string>& KindKeys();
  static const std::vector<std::string>& TopLevelKeys();
  static const std::vector<std::string>& Placeholders();
  // The email texts: per kind in [email.<kind>], and the shared ones in [email].
  static const std::vector<std::string>& EmailKindKeys();
  static const std::vector<std::string>& EmailKeys();
  // The texts of reports, in [reports].
  static const std::vector<std::string>& ReportKeys();
  // The texts of cases, in [cases].
  static const std::vector<std::string>& CaseKeys();

  // Loads every *.toml file in `dir`. A file that is not valid TOML is kMalformed, its message
  // "file:line: what". Any other problem is Error::Invalid whose message names the file and
  // the key (e.g. "fa.toml: missing string 'raid.alert'") and whose field is the key.
  static Result<TemplateSet> LoadDirectory(const std::filesystem::path& dir);

  // Renders template `kind`.`key` (or the top-level `key` when `kind` is empty) in `language`,
  // else in `fallback_language`, else in "en", then tidies it (Tidy): an empty value leaves no
  // double space and no space at a line's end. Every placeholder the template uses must have
  // a value in `vars` (extra entries are ignored); a missing one is Error::Invalid with the
  // placeholder's name as field. An unknown kind or key is Error::Invalid (field "kind" or
  // "key").
  Result<std::string> Render(std::string_view language, std::string_view fallback_language,
                             std::string_view kind, std::string_view key,
                             const std::map<std::string, std::string>& vars) const;

  // As Render, for the email texts: `key` of [email.<kind>], or of [email] when `kind` is empty.
  Result<std::string> RenderEmail(std::string_view language, std::string_view fallback_language,
                                  std::string_view kind, std::string_view key,
                                  const std::map<std::string, std::string>& vars) const;

  // As Render, for the texts of reports: `key` of [reports] (ReportKeys()), in the first of
  // `language`, `fallback_language` and "en" that has it.
  Result<std::string> RenderReport(std::string_view language, std::string_view fallback_language,
                                   std::string_view key, const std::map<std::string, std::string>& vars) const;

  // As RenderReport, for the texts of cases: `key` of [cases] (CaseKeys()); Error::Invalid
  // (field "key") when no language of the three has it.
  Result<std::string> RenderCase(std::string_view language, std::string_view fallback_language,
                                 std::string_view key, const std::map<std::string, std::string>& vars) const;
  bool HasLanguage(std::string_view language) const;
  // Sorted language codes.
  std::vector<std::string> Languages() const;

 private:
  // A template compiled at load: literal text and placeholder names, alternating as written.
  struct Piece {
    bool placeholder = false;
    std::string text;  // the literal, or the placeholder's name
  };
  using Compiled = std::vector<Piece>;
  // Key: "kind.key" or, for top-level texts, "key"; "email.kind.key" and "email.key".
  using Language = std::map<std::string, Compiled, std::less<>>;

  TemplateSet() = default;
  // Renders the compiled template `full_key` ("email.raid.subject") in `language`, else
  // `fallback_language`, else "en".
  Result<std::string> RenderKey(std::string_view language, std::string_view fallback_language,
                                const std::string& full_key,
                                const std::map<std::string, std::string>& vars) const;
  // Renders `full_key` in the first of `language`, `fallback_language` and "en" that has it.
  Result<std::string> RenderFirstHaving(std::string_view language, std::string_view fallback_language,
                                        const std::string& full_key,
                                        const std::map<std::string, std::string>& vars) const;
  static Result<Compiled> Compile(std::string_view text, std::string_view file,
                                  std::string_view key);

  // Immutable after LoadDirectory().
  std::map<std::string, Language, std::less<>> languages_;
};

}  // namespace tocsin
