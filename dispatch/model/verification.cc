#include "dispatch/model/verification.h"

#include <string>

#include "dispatch/model/policy.h"

namespace tocsin {

namespace json = boost::json;

Verification DefaultVerification(std::string_view kind) {
  Verification v;
  v.required = kind == "raid";
  return v;
}

std::string_view OnTimeoutName(OnTimeout t) {
  switch (t) {
    case OnTimeout::kCoordinators: return "coordinators";
    case OnTimeout::kSend: return "send";
    case OnTimeout::kDrop: return "drop";
  }
  return "coordinators";
}

Result<Verification> ParseVerification(const json::value& v) {
  if (!v.is_object()) return Error::Invalid("verification", "must be an object");
  Verification out = DefaultVerification("raid");
  for (const auto& kv : v.get_object()) {
    const std::string key(kv.key());
    const auto& value = kv.value();
    const std::string field = "verification." + key;
    if (key == "required") {
      if (!value.is_bool()) return Error::Invalid(field, "must be true or false");
      out.required = value.get_bool();
    } else if (key == "confirmations") {
      if (!value.is_int64() || value.get_int64() < 1 || value.get_int64() > kMaxConfirmations) {
        return Error::Invalid(field, "must be a whole number from 1 to " + std::to_string(kMaxConfirmations));
      }
      out.confirmations = static_cast<int>(value.get_int64());
    } else if (key == "wait") {
      if (!value.is_string()) return Error::Invalid(field, "must be a duration such as \"5m\"");
      auto ms = ParseDuration(value.get_string(), field);
      if (!ms.ok()) return ms.error();
      out.wait_ms = ms.value();
    } else if (key == "on_timeout") {
      bool found = false;
      for (auto t : {OnTimeout::kCoordinators, OnTimeout::kSend, OnTimeout::kDrop}) {
        if (value.is_string() && value.get_string() == OnTimeoutName(t)) {
          out.on_timeout = t;
          found = true;
        }
      }
      if (!found) return Error::Invalid(field, "must be \"coordinators\", \"send\" or \"drop\"");
    } else {
      return Error::Invalid(field, "unknown field");
    }
  }
  return out;
}

json::object VerificationToJson(const Verification& v) {
  return {{"required", v.required},
          {"confirmations", v.confirmations},
          {"wait", FormatDuration(v.wait_ms)},
          {"on_timeout", OnTimeoutName(v.on_timeout)}};
}

}  // namespace tocsin
