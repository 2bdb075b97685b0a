#include "server/api/api_error.h"

#include <boost/json.hpp>

namespace tocsin {

using http::bhttp::status;

status HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed: return status::bad_request;
    case ErrorCode::kInvalid: return status::unprocessable_entity;
    case ErrorCode::kNotFound: return status::not_found;
    case ErrorCode::kConflict: return status::conflict;
    case ErrorCode::kUnauthorized: return status::unauthorized;
    case ErrorCode::kForbidden: return status::forbidden;
    case ErrorCode::kTooLarge: return status::payload_too_large;
    case ErrorCode::kTooMany: return status::too_many_requests;
    case ErrorCode::kUnavailable: return status::service_unavailable;
    case ErrorCode::kInternal: return status::internal_server_error;
  }
  return status::internal_server_error;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kTooMany: return "too_many";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

http::Response ErrorResponse(unsigned version, bool keep_alive, const Error& error,
                             std::optional<status> override_status) {
  auto st = override_status.value_or(HttpStatusFor(error.code));
  boost::json::object body;
  body["code"] = ErrorCodeName(error.code);
  if (st == status::method_not_allowed) body["code"] = "method_not_allowed";
  body["message"] = error.message;
  if (!error.field.empty()) body["field"] = error.field;
  http::Response res{st, version};
  res.set(http::bhttp::field::content_type, "application/json");
  res.set(http::bhttp::field::cache_control, "no-store");
  if (error.code == ErrorCode::kUnauthorized) {
    res.set(http::bhttp::field::www_authenticate, "Bearer");
  }
  res.keep_alive(keep_alive);
  res.body() = boost::json::serialize(boost::json::object{{"error", std::move(body)}});
  res.prepare_payload();
  return res;
}

http::Response ErrorResponse(const http::Request& req, const Error& error,
                             std::optional<status> override_status) {
  return ErrorResponse(req.version(), req.keep_alive(), error, override_status);
}

}  // namespace tocsin
