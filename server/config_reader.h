// Reading tocsin.toml (server/config.cc builds the Config from it): which tables and keys exist,
// and typed access to a key that names it in every error.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// Rejects unknown tables and keys, and known tables that are not tables.
Status CheckKnownKeys(const toml::table& root);

// Typed access to `table.key`, by dotted name. Each getter leaves `out` alone when the key is
// absent and fails, naming the key, when it has the wrong type or range.
class Reader {
 public:
  explicit Reader(const toml::table& root) : root_(root) {}

  Status String(std::string_view table, std::string_view key, std::string& out) const {
    const toml::node* node = Find(table, key);
    if (node == nullptr) return Ok{};
    const auto* value = node->as_string();
    if (value == nullptr) return TypeError(table, key, "a string");
    out = value->get();
    return Ok{};
  }

  template <typename Int>
  Status Integer(std::string_view table, std::string_view key, std::int64_t min, std::int64_t max,
                 Int& out) const {
    const toml::node* node = Find(table, key);
    if (node == nullptr) return Ok{};
    const auto* value = node->as_integer();
    if (value == nullptr) return TypeError(table, key, "an integer");
    const std::int64_t v = value->get();
    if (v < min || v > max) {
      std::string range = max == std::numeric_limits<std::int64_t>::max()
                              ? "at least " + std::to_string(min)
                              : "between " + std::to_string(min) + " and " + std::to_string(max);
      return Error::Invalid(Dotted(table, key), Dotted(table, key) + " must be " + range);
    }
    out = static_cast<Int>(v);
    return Ok{};
  }

  Status Bool(std::string_view table, std::string_view key, bool& out) const {
    const toml::node* node = Find(table, key);
    if (node == nullptr) return Ok{};
    const auto* value = node->as_boolean();
    if (value == nullptr) return TypeError(table, key, "true or false");
    out = value->get();
    return Ok{};
  }

  // Accepts an integer too: `rate = 1` means 1.0.
  Status Number(std::string_view table, std::string_view key, double& out) const {
    const toml::node* node = Find(table, key);
    if (node == nullptr) return Ok{};
    if (const auto* value = node->as_floating_point()) {
      out = value->get();
    } else if (const auto* integer = node->as_integer()) {
      out = static_cast<double>(integer->get());
    } else {
      return TypeError(table, key, "a number");
    }
    return Ok{};
  }

  // A list of strings; leaves `out` alone when absent.
  Status Strings(std::string_view table, std::string_view key, std::optional<std::vector<std::string>>& out) const {
    const toml::node* node = Find(table, key);
    if (node == nullptr) return Ok{};
    const auto* array = node->as_array();
    if (array == nullptr) return TypeError(table, key, "a list of strings");
    std::vector<std::string> items;
    for (const auto& item : *array) {
      const auto* value = item.as_string();
      if (value == nullptr) return TypeError(table, key, "a list of strings");
      items.push_back(value->get());
    }
    out = std::move(items);
    return Ok{};
  }

  bool Has(std::string_view table, std::string_view key) const {
    return Find(table, key) != nullptr;
  }

  static std::string Dotted(std::string_view table, std::string_view key) {
    return std::string(table) + "." + std::string(key);
  }

 private:
  const toml::node* Find(std::string_view table, std::string_view key) const {
    const toml::table* t = root_[table].as_table();
    return t == nullptr ? nullptr : t->get(key);
  }

  static Error TypeError(std::string_view table, std::string_view key, std::string_view want) {
    return Error::Invalid(Dotted(table, key), Dotted(table, key) + " must be " + std::string(want));
  }

  const toml::table& root_;
};

}  // namespace tocsin
