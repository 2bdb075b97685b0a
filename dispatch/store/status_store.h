// Provider status callbacks ("sent", "delivered", "undelivered", ...) applied to deliveries.
// Callbacks may repeat and arrive out of order; a delivery only moves forward (delivery_rank),
// so a late 'sent' never undoes 'delivered'. A callback that beats our own record of the
// provider's id is kept (early_status) and applied when the delivery writer records the id.
// Functions run inside a caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// Twilio's MessageStatus -> our delivery state; empty: nothing to record.
std::string DeliveryStateFor(const std::string& twilio_status);

struct StatusApplied {
  std::int64_t delivery_id = 0;
  std::int64_t alert_id = 0;
  std::int64_t member_id = 0;
};

// Takes the transaction's lock on each provider message id (in one order: no deadlock). The
// delivery writer takes it for the ids it records, ApplyStatusCallback for its own: a callback
// racing the commit of its id then either finds the id recorded, or leaves an early status that
// the writer's batch sees (without it both could miss each other and the status be lost).
void LockProviderIds(pqxx::transaction_base& tx, const std::vector<std::string>& sids);

// Records `state` (a DeliveryStateFor result) for the message the provider calls `sid`; an
// error code 21610 (the recipient replied STOP to the carrier) opts the member out. Returns the
// deliveries it moved (none: already further on, or kept until the id is recorded).
// `now_ms` (the engine clock) is when a delivery not yet known as sent was reached.
std::vector<StatusApplied> ApplyStatusCallback(pqxx::work& tx, const std::string& sid, const std::string& state,
                                               const std::optional<std::string>& error_code, std::int64_t now_ms);

}  // namespace tocsin
