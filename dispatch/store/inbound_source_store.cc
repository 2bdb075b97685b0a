#include "dispatch/store/inbound_source_store.h"

#include "dispatch/model/validation.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"
#include "dispatch/util/standard_webhooks.h"

namespace tocsin {
namespace {

constexpr const char* kInsert =
    "INSERT INTO inbound_sources (network_id, name, maps_to, secret_enc) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (network_id, name) DO NOTHING"
    " RETURNING id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
constexpr const char* kList =
    "SELECT id, name, maps_to, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " secret_enc FROM inbound_sources WHERE network_id = $1 AND ($2::text IS NULL OR name = $2) ORDER BY name";
constexpr const char* kDelete = "DELETE FROM inbound_sources WHERE network_id = $1 AND name = $2";
constexpr const char* kReceipt =
    "SELECT status, response FROM inbound_webhooks WHERE source_id = $1 AND webhook_id = $2 AND status > 0";
constexpr const char* kClaim =
    "INSERT INTO inbound_webhooks (source_id, webhook_id, status, response) VALUES ($1, $2, 0, '')"
    " ON CONFLICT DO NOTHING";
constexpr const char* kComplete =
    "UPDATE inbound_webhooks SET alert_id = $3, status = $4, response = $5"
    " WHERE source_id = $1 AND webhook_id = $2";

InboundSource Read(const pqxx::row& r) {
  return {r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()};
}

}  // namespace

Result<std::pair<InboundSource, std::string>> InboundSourceStore::Create(pqxx::work& tx, std::int64_t network_id,
                                                                         const std::string& name,
                                                                         const std::string& maps_to) const {
  if (auto s = CheckSlug(name, "name"); !s.ok()) return s.error();
  if (maps_to != "alert" && maps_to != "report" && maps_to != "case") {
    return Error::Invalid("maps_to", "must be \"alert\", \"report\" or \"case\"");
  }
  auto secret = NewWebhookSecret();
  auto r = tx.exec_params(kInsert, network_id, name, maps_to,
                          Bytea(cipher_.Seal(secret, places::InboundSecret(network_id, name))));
  if (r.empty()) return Error::Conflict("name", "the network has an inbound source of this name");
  InboundSource source{r[0][0].as<std::int64_t>(), name, maps_to, r[0][1].as<std::string>()};
  return std::make_pair(std::move(source), std::move(secret));
}

std::vector<InboundSource> InboundSourceStore::List(pqxx::transaction_base& tx, std::int64_t network_id) const {
  std::vector<InboundSource> out;
  for (const auto& r : tx.exec_params(kList, network_id, std::optional<std::string>())) out.push_back(Read(r));
  return out;
}

Status InboundSourceStore::Delete(pqxx::work& tx, std::int64_t network_id, const std::string& name) const {
  if (tx.exec_params(kDelete, network_id, name).affected_rows() == 0) return Error::NotFound("no such inbound source");
  return Ok{};
}

std::optional<std::pair<InboundSource, std::string>> InboundSourceStore::Find(pqxx::transaction_base& tx,
                                                                              std::int64_t network_id,
                                                                              const std::string& name) const {
  auto r = tx.exec_params(kList, network_id, name);
  if (r.empty()) return std::nullopt;
  auto secret = cipher_.Open(FromBytea(r[0][4]).value_or(""), places::InboundSecret(network_id, name));
  if (!secret) return std::nullopt;
  return std::make_pair(Read(r[0]), std::move(*secret));
}

bool InboundRaiseKey::Claim(pqxx::work& tx) const {
  return tx.exec_params(kClaim, source_id_, webhook_id_).affected_rows() == 1;
}

Result<RaiseReceipt> InboundRaiseKey::Repeat(pqxx::work& tx) const {
  auto r = tx.exec_params(kReceipt, source_id_, webhook_id_);
  if (r.empty()) return Error::Unavailable("the first delivery of this webhook-id is still being handled");
  return RaiseReceipt{r[0][0].as<int>(), r[0][1].as<std::string>(), true};
}

void InboundRaiseKey::Complete(pqxx::work& tx, std::int64_t alert_id, const RaiseReceipt& receipt) const {
  tx.exec_params(kComplete, source_id_, webhook_id_, alert_id, receipt.status, receipt.response);
}

}  // namespace tocsin
