// Result<T>: the outcome of a domain operation, either a value or an Error.
//
// The engine never throws across its own boundary: functions that can fail for reasons the
// caller must handle (bad input, missing row, provider refusal, database outage) return a
// Result. Programming errors still assert.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tocsin {

// One list of error kinds for the whole code base; server/api maps each to an HTTP status in
// one table (server/api/api_error.cc).
enum class ErrorCode {
  kMalformed,     // the input cannot be parsed at all (bad JSON, bad CSV structure)
  kInvalid,       // the input parses but a value is wrong or out of range; `field` names it
  kNotFound,      // no such thing (or not visible to the caller)
  kConflict,      // would violate uniqueness or current state
  kUnauthorized,  // no or bad credentials
  kForbidden,     // credentials fine, role not allowed
  kTooLarge,      // a body or list over its bound
  kTooMany,       // the caller holds too much at once (open streams); close some and retry
  kUnavailable,   // a dependency (database, provider) is down; retry later
  kInternal,      // a bug or an unexpected failure
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // safe to show to the client: never a secret or a phone number
  std::string field;    // the offending input field, or empty

  static Error Invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalid, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error Conflict(std::string field, std::string message) {
    return {ErrorCode::kConflict, std::move(message), std::move(field)};
  }
  static Error Unavailable(std::string message) {
    return {ErrorCode::kUnavailable, std::move(message), {}};
  }
  static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
};

// A value or an Error. Cheap to move; check ok() before value().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations with no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace tocsin
