#include "dispatch/model/case_actions.h"

#include <array>
#include <vector>

#include "dispatch/model/alert_code.h"
#include "dispatch/util/fold_case.h"

namespace tocsin {
namespace {

constexpr std::array<std::string_view, 4> kDoneWords = {"DONE", "FAIT", "تم", "انجام"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<std::string> Words(std::string_view body) {
  std::vector<std::string> out;
  std::string word;
  for (char c : body) {
    if (IsSpace(c)) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  for (auto& w : out) {
    while (!w.empty() && (w.back() == '.' || w.back() == '!' || w.back() == ',')) w.pop_back();
  }
  return out;
}

bool IsDone(const std::string& word) {
  const auto folded = FoldCase(word);
  for (auto d : kDoneWords) {
    if (folded == d) return true;
  }
  return false;
}

std::optional<std::string> Code(const std::string& word) {
  if (word.size() != kAlertCodeLength) return std::nullopt;
  auto out = FoldCase(word);
  for (char c : out) {
    if (kAlertCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<DoneReply> ParseDone(std::string_view body) {
  const auto words = Words(body);
  if (words.size() == 1 && IsDone(words[0])) return DoneReply{};
  if (words.size() != 2) return std::nullopt;
  if (IsDone(words[0])) {
    if (auto code = Code(words[1])) return DoneReply{code};
  } else if (IsDone(words[1])) {
    if (auto code = Code(words[0])) return DoneReply{code};
  }
  return std::nullopt;
}

}  // namespace tocsin
