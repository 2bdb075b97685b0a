// RaiseKey: what makes a raise idempotent. A client that may send the same raise twice (a
// partner's webhook retried, a coordinator's double tap) names it with a key; the first raise
// under a key stores its answer (a RaiseReceipt) in the same transaction as the alert, and every
// later raise under that key gets that answer again and raises nothing. Two kinds:
// InboundRaiseKey (inbound_source_store.h: a webhook-id per inbound source) and TokenRaiseKey
// (idempotency_store.h: an Idempotency-Key header per token, for 24 hours, bound to the body).
//
// Every function runs inside the raise's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "dispatch/util/result.h"

namespace tocsin {

// The answer a raise gave: an HTTP status and its JSON body.
struct RaiseReceipt {
  int status = 0;
  std::string response;  // JSON text
  bool repeat = false;   // given again for a key seen before (not stored)
};

class RaiseKey {
 public:
  virtual ~RaiseKey() = default;
  // Takes the key for this transaction: false when another raise took it first (committed, or
  // committing: this waits for it to commit or roll back).
  virtual bool Claim(pqxx::work& tx) const = 0;
  // The first raise's answer under a key Claim found taken, or why it cannot be given
  // (Unavailable: still being handled; Invalid: the key came with another request).
  virtual Result<RaiseReceipt> Repeat(pqxx::work& tx) const = 0;
  // Stores the first raise's answer under the claimed key, with its alert.
  virtual void Complete(pqxx::work& tx, std::int64_t alert_id,
                        const RaiseReceipt& receipt) const = 0;
};

}  // namespace tocsin
