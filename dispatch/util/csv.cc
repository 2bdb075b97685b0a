#include "dispatch/util/csv.h"

namespace tocsin {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// A record that is one unquoted field of nothing but blanks is a blank line.
bool IsBlankRecord(const std::vector<std::string>& fields, bool any_quoted) {
  if (any_quoted || fields.size() != 1) return false;
  for (char c : fields[0]) {
    if (!IsBlank(c)) return false;
  }
  return true;
}

Error LineError(std::size_t line, std::string_view what) {
  return Error::Invalid("body", "line " + std::to_string(line) + ": " + std::string(what));
}

Error TooMany(std::size_t max_records) {
  return Error{ErrorCode::kTooLarge, "more than " + std::to_string(max_records) + " records", "body"};
}

}  // namespace

// A single pass over the bytes. Beyond RFC 4180 it tolerates what spreadsheets and people
// produce: LF or lone CR line ends as well as CRLF, blanks around a quoted field
// (`"a", "b"`), and a '"' inside an unquoted field (kept literally). Line breaks inside quoted
// fields are kept as they appear in the input.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, std::size_t max_records) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());

  enum class State {
    kFieldStart,  // nothing of the current field read yet (blanks are kept in `field`)
    kUnquoted,    // inside an unquoted field
    kQuoted,      // inside a quoted field
    kAfterQuote,  // after the closing quote of a quoted field
  };

  std::vector<CsvRow> rows;
  std::vector<std::string> fields;
  std::string field;
  bool any_quoted = false;
  State state = State::kFieldStart;
  std::size_t line = 1;         // physical line of text[i]
  std::size_t record_line = 1;  // where the current record started
  std::size_t quote_line = 1;   // where the current quoted field opened

  auto end_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
    state = State::kFieldStart;
  };
  auto end_record = [&] {
    end_field();
    if (!IsBlankRecord(fields, any_quoted)) {
      rows.push_back(CsvRow{record_line, std::move(fields)});
    }
    fields.clear();
    any_quoted = false;
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool line_break = c == '\n' || c == '\r';
    // CRLF is one line break: the CR counts it, the LF is consumed with it.
    const bool crlf = c == '\r' && i + 1 < text.size() && text[i + 1] == '\n';

    if (state == State::kQuoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          state = State::kAfterQuote;
        }
      } else {
        field.push_back(c);
        if (crlf) {
          field.push_back('\n');
          ++i;
        }
        if (line_break) ++line;
      }
      continue;
    }

    if (line_break) {
      end_record();
      if (rows.size() > max_records) return TooMany(max_records);
      if (crlf) ++i;
      ++line;
      record_line = line;
      continue;
    }
    if (c == ',') {
      end_field();
      continue;
    }

    switch (state) {
      case State::kFieldStart:
        if (c == '"') {
          field.clear();  // blanks before the opening quote are not part of the field
          state = State::kQuoted;
          any_quoted = true;
          quote_line = line;
        } else if (IsBlank(c)) {
          field.push_back(c);
        } else {
          field.push_back(c);
          state = State::kUnquoted;
        }
        break;
      case State::kUnquoted:
        field.push_back(c);
        break;
      case State::kAfterQuote:
        if (!IsBlank(c)) return LineError(line, "unexpected text after a closing quote");
        break;
      case State::kQuoted:
        break;  // handled above
    }
  }

  if (state == State::kQuoted) return LineError(quote_line, "unterminated quoted field");
  // A final record without a trailing line break.
  if (state != State::kFieldStart || !field.empty() || !fields.empty()) end_record();
  if (rows.size() > max_records) return TooMany(max_records);
  return rows;
}

std::vector<std::string> SplitList(std::string_view cell) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t semi = cell.find(';');
    std::string_view item = cell.substr(0, semi);
    while (!item.empty() && IsBlank(item.front())) item.remove_prefix(1);
    while (!item.empty() && IsBlank(item.back())) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (semi == std::string_view::npos) break;
    cell.remove_prefix(semi + 1);
  }
  return items;
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    if (i > 0) out += ',';
    bool quote = f.find_first_of(",\"\r\n") != std::string::npos ||
                 (!f.empty() && (IsBlank(f.front()) || IsBlank(f.back())));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ";") + item;
  return out;
}

}  // namespace tocsin
