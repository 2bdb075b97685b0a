// Inbound sources: partner systems that raise alerts by signed webhook (Standard Webhooks), each
// with its own secret (sealed; shown once at creation), and the receipts of what each webhook-id
// raised, so a repeat is answered from its receipt and does nothing else.
//
// Every function runs inside the caller's transaction. Thread safety: holds a const reference
// only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct InboundSource {
  std::int64_t id = 0;
  std::string name;
  std::string maps_to;  // alert
  std::string created_at;
};

// What a webhook-id raised: the answer given the first time.
struct InboundReceipt {
  int status = 0;
  std::string response;  // JSON text
};

class InboundSourceStore {
 public:
  explicit InboundSourceStore(const DataCipher& cipher) : cipher_(cipher) {}

  // Checks name (a slug) and maps_to ("alert"); Conflict on a taken name. Returns the source
  // and its secret (whsec_...).
  Result<std::pair<InboundSource, std::string>> Create(pqxx::work& tx, std::int64_t network_id,
                                                       const std::string& name, const std::string& maps_to) const;
  std::vector<InboundSource> List(pqxx::transaction_base& tx, std::int64_t network_id) const;
  Status Delete(pqxx::work& tx, std::int64_t network_id, const std::string& name) const;
  // The source and its secret, or nullopt when the network has no source of that name.
  std::optional<std::pair<InboundSource, std::string>> Find(pqxx::transaction_base& tx, std::int64_t network_id,
                                                            const std::string& name) const;

 private:
  const DataCipher& cipher_;
};

// The receipt of `webhook_id` from the source, if it raised something.
std::optional<InboundReceipt> FindInboundReceipt(pqxx::transaction_base& tx, std::int64_t source_id,
                                                 const std::string& webhook_id);
// Takes `webhook_id` for this transaction: false when another (committed, or committing: this
// waits for it) took it first. Fill it in with CompleteInboundReceipt before committing.
bool ClaimInboundReceipt(pqxx::work& tx, std::int64_t source_id, const std::string& webhook_id);
void CompleteInboundReceipt(pqxx::work& tx, std::int64_t source_id, const std::string& webhook_id,
                            std::int64_t alert_id, const InboundReceipt& receipt);

}  // namespace tocsin
