// A case's events (issue 13): record one, list them in order (the timeline). An event's text
// (where the person is held, the directions' details, a note) is sealed at rest bound to the
// event's id (places::CaseEventDetail), never logged.
//
// Every function runs inside the caller's transaction, scoped by `network_id` (another
// network's case is NotFound). Thread safety: holds a const reference only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/case.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct CaseEvent {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::string type;
  std::optional<std::string> detail;    // opened
  std::optional<std::string> deadline;  // RFC 3339, UTC
  std::string actor;
  std::string created_at;
};

class CaseEventStore {
 public:
  explicit CaseEventStore(const DataCipher& cipher) : cipher_(cipher) {}

  // `in` checked (CheckCaseEvent). NotFound when the case is not the network's; Conflict
  // (field "webhook-id") when an event with its inbound_key was recorded before.
  Result<CaseEvent> Record(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id, const CaseEventInput& in,
                           const std::string& actor) const;
  // Oldest first (at most the latest 1000).
  Result<std::vector<CaseEvent>> Timeline(pqxx::transaction_base& tx, std::int64_t network_id,
                                          std::int64_t case_id) const;

 private:
  CaseEvent Read(const pqxx::row& r, std::int64_t network_id) const;

  const DataCipher& cipher_;
};

}  // namespace tocsin
