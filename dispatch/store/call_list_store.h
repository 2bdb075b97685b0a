// Call lists in the database (model/call_list.h says who is owed one and writes it): the people
// a relayer must phone, read with their names and numbers opened; the relayer's alert delivery,
// which carries its own sealed text instead of its language's shared message; and, for LIST,
// the call list of the member's most recent open relay tree alert. Functions run inside a
// caller's transaction. Nothing here logs: the rows are names and phone numbers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "dispatch/model/call_list.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// The members `ids` who are active (not opted out, not paused), by id, with their names and
// numbers opened (a number that does not open leaves the person out; a name, the name out).
std::map<std::int64_t, CallListPerson> PeopleToCall(pqxx::transaction_base& tx,
                                                    const DataCipher& cipher,
                                                    const std::vector<std::int64_t>& ids);

// The people of `owed` as `people` holds them, in calling order, those missing left out.
std::vector<CallListPerson> InCallingOrder(const std::map<std::int64_t, CallListPerson>& people,
                                           const std::vector<std::int64_t>& owed);

// The alert message (seq 0) deliveries of `members` that are still queued, each with its language.
struct QueuedAlertDelivery {
  std::int64_t id = 0;
  std::int64_t member = 0;
  std::string language;
  std::string channel;  // sms, voice
};
std::vector<QueuedAlertDelivery> QueuedAlertDeliveries(pqxx::transaction_base& tx,
                                                       std::int64_t alert_id,
                                                       const std::vector<std::int64_t>& members);
// The alert message (seq 0) in `language`, sealed (binary); nullopt if it was not stored.
std::optional<std::string> SealedAlertMessage(pqxx::transaction_base& tx, std::int64_t alert_id,
                                              const std::string& language);
// Gives the delivery its own text (sealed, hex) and the segments it costs.
void SetDeliveryText(pqxx::work& tx, std::int64_t delivery_id, const std::string& sealed_hex,
                     int segments);

// For LIST: the children, in calling order, of the member's node in the most recent open alert
// of the network whose relay tree has the member as a node with children, or as the backup
// standing in for one (the node in `backup`, or reached through its backup). Empty: none.
std::vector<std::int64_t> LatestCallList(pqxx::transaction_base& tx, std::int64_t network_id,
                                         std::int64_t member_id);

}  // namespace tocsin
