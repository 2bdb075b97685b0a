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

#include "dispatch/store/raise_key.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct InboundSource {
  std::int64_t id = 0;
  std::string name;
  std::string maps_to;  // alert, report, case
  std::string created_at;
};

class InboundSourceStore {
 public:
  explicit InboundSourceStore(const DataCipher& cipher) : cipher_(cipher) {}

  // Checks name (a slug) and maps_to ("alert", "report" or "case"); Conflict on a taken name. Returns the source
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

// A raise by a partner's webhook, idempotent by its webhook-id per source (inbound_webhooks).
class InboundRaiseKey : public RaiseKey {
 public:
  InboundRaiseKey(std::int64_t source_id, std::string webhook_id)
      : source_id_(source_id), webhook_id_(std::move(webhook_id)) {}
  bool Claim(pqxx::work& tx) const override;
  Result<RaiseReceipt> Repeat(pqxx::work& tx) const override;
  void Complete(pqxx::work& tx, std::int64_t alert_id, const RaiseReceipt& receipt) const override;

 private:
  std::int64_t source_id_;
  std::string webhook_id_;
};

}  // namespace tocsin
