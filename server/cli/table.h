// Plain-text tables for the CLI's human output: columns padded to their widest cell (counted
// in UTF-8 characters), two spaces apart.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tocsin::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
};

}  // namespace tocsin::cli
