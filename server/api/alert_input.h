// The fields of an alert in a JSON body, read one way for every path that raises one: the API
// (POST .../alerts) and partners' signed webhooks (POST .../inbound/{source}). Errors name the
// field (ApiError, 422); the engine validates the values.
#pragma once

#include "dispatch/model/alert.h"
#include "server/api/json_io.h"

namespace tocsin {

// kind, areas, location, details, deadline and an optional audience {roles, include_neighbours};
// any other key is an error.
AlertInput ReadAlertInput(const JsonBody& body);

}  // namespace tocsin
