// Calls' outcomes in the database: the delivery a call's status callback is about, and what its
// CallOutcome (model/call_outcome.h) does to it. Functions run inside a caller's transaction.
//
// A call is found by its provider id (Twilio's CallSid, recorded by the delivery writer when
// Twilio accepted the call). A retry queues the delivery again (sent -> queued, the one move
// back a call makes), due at the retry's time on the engine's clock, with its provider id
// cleared so that the next call records its own; the alert's end in the meantime cancels it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/model/call_outcome.h"

namespace tocsin {

struct CallDelivery {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::int64_t member_id = 0;
  std::int64_t network_id = 0;
  int attempts = 0;  // calls placed so far, this one included
};

// Locks the call's provider id (as ApplyStatusCallback does) and its voice delivery; nullopt
// when no voice delivery has recorded `sid` (yet).
std::optional<CallDelivery> LockCallDelivery(pqxx::work& tx, const std::string& sid);

// Applies `outcome` (Final()) to `d`: delivered or failed only move it forward; a retry queues
// it again (cancelled instead when the alert has ended). Returns whether the delivery moved.
// `now_ms` (engine clock): when a delivery not yet known as sent was reached.
bool ApplyCallOutcome(pqxx::work& tx, const CallDelivery& d, const CallOutcome& outcome, std::int64_t now_ms);

}  // namespace tocsin
