// The delivery writer's SQL: one group commit writes a batch of delivery transitions and the
// answers of a batch of replies as a few statements over unnest()ed arrays. Functions run inside
// the writer's transaction.
//
// A delivery only moves forward (delivery_rank), except sending -> queued (a retry) and
// sending -> cancelled, so batches in flight at once cannot undo each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/response_record.h"

namespace tocsin {

struct Transition {
  std::int64_t delivery_id = 0;
  std::string state;  // sent, delivered, failed, queued (retry), cancelled
  std::optional<std::string> sender;
  std::optional<std::string> provider_id;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  double retry_in_seconds = 0;                // for state "queued"
  std::optional<std::int64_t> opt_out_member;  // mark this member opted_out
  std::int64_t alert_id = 0;   // for watchers' events (0: not announced)
  std::int64_t member_id = 0;
};

// Writes `batch`; `now_ms` (the engine clock) is when a delivery was reached, which its
// reminder and backup deadlines count from. Retries wait on the database's real time, as rate
// limits do: they pace a provider, not people. Also applies status callbacks that arrived before the provider ids they name, and opts out
// the members a provider said replied STOP.
void WriteTransitions(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms);
// Inserts the answers; a repeated provider id (the same webhook again) is stored once.
void InsertResponses(pqxx::work& tx, const std::vector<ResponseRecord>& records);

}  // namespace tocsin
