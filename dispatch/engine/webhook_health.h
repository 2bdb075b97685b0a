// WebhookHealth: what webhook (and email) attempts mean for their endpoints, in the delivery writer's commit
// (WriterHooks::webhook_health).
//
//  1. Every attempt's outcome moves the endpoint's failing period (webhook_health_store.h): an
//     endpoint failing for 5 days with no success, on the engine's clock, is disabled.
//  2. A delivery that exhausted the retry schedule tells the network's coordinators by SMS,
//     naming the organisation (template webhook_failed, in each coordinator's language), once
//     per endpoint until it delivers again, however many deliveries fail meanwhile.
//  3. An email to an organisation that failed for good (Transition::email_failed) tells them
//     too (template email_failed: the organisation and the alert's code, never the address),
//     once per alert and organisation.
//
// Thread safety: holds const references only; called on a database pool thread.
#pragma once

#include <cstdint>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/fanout/fanout.h"
#include "dispatch/store/delivery_store.h"

namespace tocsin {

class WebhookHealth {
 public:
  WebhookHealth(const Fanout& fanout, const DataCipher& cipher) : fanout_(fanout), alerts_(cipher) {}

  // Returns how many SMS were queued for coordinators.
  std::int64_t Record(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms) const;

 private:
  const Fanout& fanout_;
  const AlertStore alerts_;
};

}  // namespace tocsin
