// The API's error boundary: one table from ErrorCode to HTTP status, one JSON shape for every
// error: {"error": {"code": "...", "message": "...", "field": "..."}}.
#pragma once

#include <exception>
#include <string>

#include "dispatch/util/result.h"
#include "server/http/types.h"

namespace tocsin {

// Thrown by handlers to end a request with an error; the Router catches it.
class ApiError : public std::exception {
 public:
  explicit ApiError(Error error) : error_(std::move(error)) {}
  ApiError(ErrorCode code, std::string message, std::string field = {})
      : error_{code, std::move(message), std::move(field)} {}
  const Error& error() const { return error_; }
  const char* what() const noexcept override { return error_.message.c_str(); }

 private:
  Error error_;
};

http::bhttp::status HttpStatusFor(ErrorCode code);
// The snake_case code clients see ("invalid", "not_found", ...).
const char* ErrorCodeName(ErrorCode code);

// A JSON error response. `status` overrides the table (405, 413, 400 for malformed JSON...).
http::Response ErrorResponse(const http::Request& req, const Error& error,
                             std::optional<http::bhttp::status> status = std::nullopt);
http::Response ErrorResponse(unsigned version, bool keep_alive, const Error& error,
                             std::optional<http::bhttp::status> status = std::nullopt);

// Unwraps a Result or throws its Error as an ApiError.
template <typename T>
T ValueOrThrow(Result<T> r) {
  if (!r.ok()) throw ApiError(r.error());
  return std::move(r).value();
}

}  // namespace tocsin
