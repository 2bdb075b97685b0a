// The options of one CLI command: `--key value` (repeatable), `--flag`, and positional words,
// checked against what the command declares, so a typo is an error and never silently ignored.
// Reading a value checks it and names the option when it is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::cli {

// Wrong use of the command line: exit code 2, the message and the command's usage on stderr.
struct UsageError {
  std::string message;
};

class Args {
 public:
  // `options` take a value, `flags` do not (names without the leading "--"). Throws UsageError
  // for an undeclared option or an option missing its value.
  static Args Parse(const std::vector<std::string>& words, const std::vector<std::string>& options,
                    const std::vector<std::string>& flags);

  // The value of `--key`; UsageError if absent or empty.
  std::string Require(const std::string& key) const;
  std::optional<std::string> Get(const std::string& key) const;
  std::string Get(const std::string& key, const std::string& fallback) const;
  std::vector<std::string> All(const std::string& key) const;  // every value of a repeated option
  bool Flag(const std::string& key) const { return options_.count(key) > 0; }
  bool Has(const std::string& key) const { return options_.count(key) > 0; }
  // A whole number in [min, max]; UsageError naming the option otherwise.
  std::optional<std::int64_t> Int(const std::string& key, std::int64_t min, std::int64_t max) const;
  // Exactly `count` positional words, else UsageError saying what is expected (`what`).
  const std::vector<std::string>& Positional(std::size_t count, const std::string& what) const;
  // The single positional word as an id (a whole number >= 1), named `what` in errors.
  std::int64_t PositionalId(const std::string& what) const;

 private:
  std::multimap<std::string, std::string> options_;
  std::vector<std::string> positional_;
};

}  // namespace tocsin::cli
