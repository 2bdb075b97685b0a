#include "server/cli/args.h"

#include <algorithm>
#include <charconv>

namespace tocsin::cli {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::optional<std::int64_t> ParseInt(const std::string& s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Args Args::Parse(const std::vector<std::string>& words, const std::vector<std::string>& options,
                 const std::vector<std::string>& flags) {
  Args a;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w.rfind("--", 0) != 0 || w.size() == 2) {
      a.positional_.push_back(w);
      continue;
    }
    auto key = w.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = key.find('='); eq != std::string::npos) {
      inline_value = key.substr(eq + 1);
      key.resize(eq);
    }
    if (Contains(flags, key) && !inline_value) {
      a.options_.emplace(key, "1");
    } else if (!Contains(options, key)) {
      throw UsageError{"unknown option --" + key};
    } else if (inline_value) {
      a.options_.emplace(key, *inline_value);
    } else if (i + 1 < words.size()) {
      a.options_.emplace(key, words[++i]);
    } else {
      throw UsageError{w + " needs a value"};
    }
  }
  return a;
}

std::string Args::Require(const std::string& key) const {
  auto v = Get(key);
  if (!v || v->empty()) throw UsageError{"--" + key + " is required"};
  return *v;
}

std::optional<std::string> Args::Get(const std::string& key) const {
  auto it = options_.find(key);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string Args::Get(const std::string& key, const std::string& fallback) const {
  return Get(key).value_or(fallback);
}

std::vector<std::string> Args::All(const std::string& key) const {
  std::vector<std::string> out;
  auto [begin, end] = options_.equal_range(key);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

std::optional<std::int64_t> Args::Int(const std::string& key, std::int64_t min,
                                      std::int64_t max) const {
  auto raw = Get(key);
  if (!raw) return std::nullopt;
  auto v = ParseInt(*raw);
  if (!v || *v < min || *v > max) {
    throw UsageError{"--" + key + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max)};
  }
  return v;
}

const std::vector<std::string>& Args::Positional(std::size_t count, const std::string& what) const {
  if (positional_.size() != count) {
    throw UsageError{count == 0 ? "unexpected argument '" + positional_[0] + "'" : "expected " + what};
  }
  return positional_;
}

std::int64_t Args::PositionalId(const std::string& what) const {
  const auto& word = Positional(1, "one " + what)[0];
  auto v = ParseInt(word);
  if (!v || *v < 1) throw UsageError{what + " must be a whole number >= 1, not '" + word + "'"};
  return *v;
}

}  // namespace tocsin::cli
