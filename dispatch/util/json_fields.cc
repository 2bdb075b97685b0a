#include "dispatch/util/json_fields.h"

#include <limits>

namespace tocsin {

namespace {
constexpr std::size_t kMaxKeyInPath = 64;
}  // namespace

std::string FieldKey(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += key.substr(0, kMaxKeyInPath);
  return out;
}

std::string FieldIndex(std::string_view parent, std::size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

Error UnknownField(std::string_view parent, std::string_view key) {
  return Error::Invalid(FieldKey(parent, key), "unknown field");
}

std::optional<std::int64_t> JsonInt64(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

Result<boost::json::value> ParseJsonText(std::string_view text, std::size_t max_bytes, std::string_view what) {
  if (text.size() > max_bytes) {
    return Error{ErrorCode::kTooLarge, std::string(what) + " is at most " + std::to_string(max_bytes / 1024) + " KiB", ""};
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) return Error{ErrorCode::kMalformed, std::string(what) + " is not valid JSON: " + ec.message(), ""};
  return v;
}

}  // namespace tocsin
