#include "dispatch/store/pq_types.h"

namespace tocsin {

namespace {

void AppendQuoted(std::string& out, const std::string& item) {
  out += '"';
  for (char c : item) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string ToPgArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    AppendQuoted(out, items[i]);
  }
  return out + '}';
}

std::string ToPgArray(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(items[i]);
  }
  return out + '}';
}

std::string ToPgArray(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (items[i]) {
      AppendQuoted(out, *items[i]);
    } else {
      out += "NULL";
    }
  }
  return out + '}';
}

std::vector<std::string> FromPgArray(const pqxx::field& f) {
  std::vector<std::string> items;
  if (f.is_null()) return items;
  auto parser = f.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::done;
       std::tie(kind, value) = parser.get_next()) {
    if (kind == pqxx::array_parser::string_value) items.push_back(value);
  }
  return items;
}

std::optional<std::string> FromBytea(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return pqxx::binarystring(f).str();
}

std::int64_t ReserveId(pqxx::transaction_base& tx, const char* table) {
  return tx.exec_params1("SELECT nextval(pg_get_serial_sequence($1, 'id'))", table)[0].as<std::int64_t>();
}

}  // namespace tocsin
