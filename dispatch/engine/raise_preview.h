// Who a raise would reach, asked before sending (POST .../alerts/preview): the members its first
// step sends the alert to now — the request's audience when it names one, else the kind's
// policy's first step, as AlertUseCases::Raise decides — counted in total and per area of the
// alert, and the members of the neighbouring areas: among them when the step includes them,
// else how many more including them would add. Nothing is stored, nothing is sent. A phone
// tree in the first step is not counted (its walk decides whom it reaches).
#pragma once

#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <string>

#include "dispatch/model/alert.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct RaisePreview {
  std::int64_t recipients = 0;
  std::map<std::string, std::int64_t> by_area;  // each alert area: recipients in it
  std::int64_t neighbours = 0;
  bool neighbours_included = false;
};

// Validates `in` as a raise does (errors name the field) and counts its audience.
Result<RaisePreview> PreviewRaise(pqxx::transaction_base& tx, const AlertStore& alerts,
                                  const Network& net, const AlertInput& in);

}  // namespace tocsin
