// Alerts in the database: inserting one, locking it for a change, ending it, and reading it back
// with live counts (two bulk queries for a whole listing). Location and details are sealed at
// rest (DataCipher); every function runs inside a caller's transaction.
//
// Thread safety: holds a const reference only; may be shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/alert.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

// Whether the network has the alert (a cheap check before reading what hangs off it).
bool AlertInNetwork(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id);

class AlertStore {
 public:
  explicit AlertStore(const DataCipher& cipher) : cipher_(cipher) {}

  // Inserts a validated alert (areas and roles canonical) under a code no open or pending alert
  // of the network uses; `tiered`: its texts withhold the location (model/disclosure.h).
  // Returns its id.
  std::int64_t Insert(pqxx::work& tx, std::int64_t network_id, const AlertInput& in, const std::string& actor,
                      bool tiered = false) const;
  // Whether `deadline` (RFC 3339) lies after `now_ms`, and its text for messages (London time).
  bool DeadlineAfter(pqxx::transaction_base& tx, const std::string& deadline, std::int64_t now_ms) const;
  std::string DeadlineText(pqxx::transaction_base& tx, const std::string& deadline) const;
  // The alert, locked until the transaction ends. NotFound when the network has no such alert.
  Result<Alert> Lock(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id) const;
  // Marks the alert ended (`status`: resolved or cancelled) at `now_ms` and cancels every
  // delivery of it still queued. Those claimed ('sending') are the dispatcher's to settle: it
  // cancels what it has not started (Dispatcher::ForgetAlertNow) and records what was on the
  // wire as it turns out.
  void MarkEnded(pqxx::work& tx, std::int64_t alert_id, const std::string& status, std::int64_t now_ms) const;
  // Appends to the alert's warnings (why a step reached nobody).
  void AddWarnings(pqxx::work& tx, std::int64_t alert_id, const std::vector<std::string>& warnings) const;
  // The next message number of the alert (0 is the alert message itself).
  int NextSeq(pqxx::transaction_base& tx, std::int64_t alert_id) const;
  // The number of the alert's message of `kind`, if it has one.
  std::optional<int> MessageSeq(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& kind) const;
  // The alert's areas, and the areas neighbouring them (not those areas themselves).
  std::vector<std::string> Areas(pqxx::transaction_base& tx, std::int64_t alert_id) const;
  std::vector<std::string> NeighboursOf(pqxx::transaction_base& tx, std::int64_t network_id,
                                        const std::vector<std::string>& areas) const;

  Result<Alert> Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const;
  // Newest first, before `before_id` when given; `status` empty for all.
  std::vector<Alert> List(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& status,
                          std::optional<std::int64_t> before_id, int limit) const;
  // Oldest first, each with its member's name and phone opened. `answer` keeps only answers of
  // that kind, and for going or cannot only each member's latest such answer ("who is going").
  Result<ResponsePage> Responses(pqxx::transaction_base& tx, std::int64_t network_id,
                                 std::int64_t alert_id, std::int64_t after_id, int limit,
                                 const std::optional<std::string>& answer = std::nullopt) const;
  Result<DeliveryPage> Deliveries(pqxx::transaction_base& tx, std::int64_t network_id,
                                  std::int64_t alert_id, std::int64_t after_id, int limit) const;

 private:
  // The alert's own columns (no counts: those take queries, see FillCounts).
  Alert Read(const pqxx::row& r) const;
  // A member's name and phone from TOCSIN_MEMBER_LABEL_COLUMNS at `first` (opened for their place).
  MemberLabel ReadLabel(const pqxx::row& r, int first, std::int64_t network_id, std::int64_t member_id) const;
  // Live counts for every alert of `alerts`, in two round trips.
  void FillCounts(pqxx::transaction_base& tx, std::vector<Alert>& alerts) const;

  const DataCipher& cipher_;
};

}  // namespace tocsin
