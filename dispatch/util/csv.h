// RFC 4180 CSV for member imports and exports: parsing, and writing what the parser reads back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

struct CsvRow {
  std::size_t line = 0;             // 1-based line number where the record starts
  std::vector<std::string> fields;  // unquoted, "" inside quotes turned into "
};

// Parses `text` into records. Handles quoted fields (with commas, "" escapes and line breaks),
// CRLF and LF line ends, a UTF-8 BOM at the start, and a missing final newline. Blank lines are
// skipped. A structural error (an unterminated quote, text after a closing quote) fails the whole
// parse with Error::Invalid("body", "line N: ..."). More than `max_records` records (the header
// included) fail with kTooLarge as soon as the one too many is read, so memory stays bounded by
// the limit, not by the text.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, std::size_t max_records = SIZE_MAX);

// Splits a list cell ("SE15; SE22;") on ';', trimming spaces and dropping empty items.
std::vector<std::string> SplitList(std::string_view cell);

// One record, fields quoted when they hold ',', '"', a line break or surrounding blanks,
// ended by CRLF (RFC 4180). ParseCsv reads it back field for field.
std::string CsvRecord(const std::vector<std::string>& fields);

// Joins a list for a list cell ("SE15;SE22"); SplitList reverses it.
std::string JoinList(const std::vector<std::string>& items);

}  // namespace tocsin
