// JSON in and out of API handlers: parsing a request body into an object with typed, checked
// field access (errors name the field), and building JSON responses.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/http/types.h"

namespace tocsin {

// A request body that must be a JSON object. Throws ApiError (400) for malformed JSON or a
// value that is not an object.
class JsonBody {
 public:
  explicit JsonBody(const http::Request& req);

  // Rejects any key not in `allowed` (a typo must not be silently ignored).
  void AllowOnly(std::initializer_list<std::string_view> allowed) const;

  bool Has(std::string_view key) const;
  bool IsNull(std::string_view key) const;
  std::string RequiredString(std::string_view key) const;
  std::optional<std::string> String(std::string_view key) const;  // null/absent -> nullopt
  std::optional<std::vector<std::string>> StringList(std::string_view key) const;
  std::optional<std::int64_t> Int(std::string_view key) const;
  std::optional<bool> Bool(std::string_view key) const;
  const boost::json::value* Raw(std::string_view key) const;
  const boost::json::object& object() const { return obj_; }

 private:
  boost::json::object obj_;
};

// Throws ApiError(invalid, field) unless `v` is a string.
std::string AsString(const boost::json::value& v, const std::string& field);

http::Response JsonResponse(const http::Request& req, http::bhttp::status status,
                            const boost::json::value& body);
http::Response EmptyResponse(const http::Request& req, http::bhttp::status status);

// The string, or JSON null when absent.
boost::json::value OptJson(const std::optional<std::string>& v);
boost::json::array ToJsonArray(const std::vector<std::string>& items);
// A page's `next_cursor`: the id as a string, or null on the last page.
boost::json::value CursorJson(const std::optional<std::int64_t>& next);

}  // namespace tocsin
