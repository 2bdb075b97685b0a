#include "server/api/alert_input.h"

#include "server/api/api_error.h"

namespace tocsin {

AlertInput ReadAlertInput(const JsonBody& body) {
  body.AllowOnly({"kind", "areas", "location", "details", "audience", "deadline"});
  AlertInput in;
  in.kind = body.RequiredString("kind");
  in.areas = body.StringList("areas").value_or(std::vector<std::string>{});
  in.location = body.RequiredString("location");
  in.details = body.String("details").value_or("");
  in.deadline = body.String("deadline");
  if (const auto* audience = body.Raw("audience"); audience && !audience->is_null()) {
    in.audience_given = true;
    if (!audience->is_object()) throw ApiError(Error::Invalid("audience", "must be an object"));
    for (const auto& kv : audience->as_object()) {
      if (kv.key() == "roles") {
        if (!kv.value().is_array()) throw ApiError(Error::Invalid("audience.roles", "must be a list"));
        in.roles.clear();
        for (const auto& r : kv.value().as_array()) in.roles.push_back(AsString(r, "audience.roles"));
      } else if (kv.key() == "include_neighbours") {
        if (!kv.value().is_bool()) {
          throw ApiError(Error::Invalid("audience.include_neighbours", "must be true or false"));
        }
        in.include_neighbours = kv.value().as_bool();
      } else {
        throw ApiError(Error::Invalid("audience." + std::string(kv.key()), "unknown field"));
      }
    }
  }
  return in;
}

}  // namespace tocsin
