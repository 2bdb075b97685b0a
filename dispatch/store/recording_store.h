// Recordings in the database (issue 11; what they are for: message/call_lines.h). One row per
// network, language and message, replaced whole by a new upload. Functions run inside a
// caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <pqxx/pqxx>

namespace tocsin {

struct Recording {
  std::string content_type;  // audio/mpeg or audio/wav
  std::string audio;         // the file's bytes
};

// Stores (or replaces) the recording; the caller checked it (CheckRecording).
void PutRecording(pqxx::work& tx, std::int64_t network_id, const std::string& language, const std::string& message,
                  const Recording& r);
std::optional<Recording> GetRecording(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& language,
                                      const std::string& message);
// The messages the network recorded in `language`.
std::set<std::string> RecordedMessages(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& language);

}  // namespace tocsin
