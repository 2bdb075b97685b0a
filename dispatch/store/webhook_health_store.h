// The health of webhook endpoints, written with each attempt's outcome in the delivery writer's
// commit: since when an endpoint has been failing (engine clock), disabling it after
// kDisableFailingAfterMs of failures with no success, and the one notice coordinators get
// when a delivery to it fails for good.
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace tocsin {

inline constexpr std::int64_t kDisableFailingAfterMs = 5LL * 24 * 3600 * 1000;  // 5 days

// An attempt to `endpoint_id` succeeded (`ok`) or failed at `now_ms`. A success forgets the
// failures and the notice; a failure starts the failing period if none is running, and
// disables the endpoint ("failing for 5 days") once the period reaches kDisableFailingAfterMs.
void RecordEndpointAttempt(pqxx::work& tx, std::int64_t endpoint_id, bool ok, std::int64_t now_ms);

struct EndpointFailureNotice {
  std::int64_t network_id = 0;
  std::int64_t alert_id = 0;  // of the delivery that failed
  std::string organisation_name;
};

// Claims the endpoint's failure notice for its delivery `delivery_id`: the organisation to
// name and the alert, or nullopt when coordinators were told already since its last success.
std::optional<EndpointFailureNotice> ClaimFailureNotice(pqxx::work& tx, std::int64_t endpoint_id,
                                                        std::int64_t delivery_id);

}  // namespace tocsin
