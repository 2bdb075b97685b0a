#include "server/api/json_io.h"

#include <boost/beast/core/string.hpp>

#include "server/api/api_error.h"

namespace tocsin {

namespace json = boost::json;
using http::bhttp::field;
using http::bhttp::status;

JsonBody::JsonBody(const http::Request& req) {
  // The Content-Type is not checked: `curl -d` labels JSON as a form, and the parse below is
  // the real test.
  json::error_code ec;
  auto value = json::parse(req.body(), ec);
  if (ec) {
    throw ApiError(ErrorCode::kMalformed, "malformed JSON: " + ec.message(), "body");
  }
  if (!value.is_object()) throw ApiError(ErrorCode::kMalformed, "the body must be a JSON object", "body");
  obj_ = std::move(value.as_object());
}

void JsonBody::AllowOnly(std::initializer_list<std::string_view> allowed) const {
  for (const auto& kv : obj_) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) throw ApiError(Error::Invalid(std::string(kv.key()), "unknown field"));
  }
}

bool JsonBody::Has(std::string_view key) const { return obj_.contains(key); }

bool JsonBody::IsNull(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  return v && v->is_null();
}

const json::value* JsonBody::Raw(std::string_view key) const { return obj_.if_contains(key); }

std::string AsString(const json::value& v, const std::string& field) {
  if (!v.is_string()) throw ApiError(Error::Invalid(field, "must be a string"));
  return std::string(v.as_string());
}

std::string JsonBody::RequiredString(std::string_view key) const {
  auto s = String(key);
  if (!s) throw ApiError(Error::Invalid(std::string(key), "is required"));
  return *s;
}

std::optional<std::string> JsonBody::String(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  return AsString(*v, std::string(key));
}

std::optional<std::vector<std::string>> JsonBody::StringList(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) throw ApiError(Error::Invalid(std::string(key), "must be a list of strings"));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    out.push_back(AsString(v->as_array()[i], std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::optional<std::int64_t> JsonBody::Int(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<std::int64_t>(v->as_uint64());
  throw ApiError(Error::Invalid(std::string(key), "must be a whole number"));
}

std::optional<bool> JsonBody::Bool(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) throw ApiError(Error::Invalid(std::string(key), "must be true or false"));
  return v->as_bool();
}

http::Response JsonResponse(const http::Request& req, status st, const json::value& body) {
  http::Response res{st, req.version()};
  res.set(field::content_type, "application/json");
  res.set(field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

http::Response EmptyResponse(const http::Request& req, status st) {
  http::Response res{st, req.version()};
  res.set(field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

json::value OptJson(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array ToJsonArray(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::value CursorJson(const std::optional<std::int64_t>& next) {
  if (!next) return nullptr;
  return json::value(std::to_string(*next));
}

}  // namespace tocsin
