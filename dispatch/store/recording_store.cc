#include "dispatch/store/recording_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kPut =
    "INSERT INTO recordings (network_id, language, message, content_type, audio)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (network_id, language, message) DO UPDATE"
    " SET content_type = EXCLUDED.content_type, audio = EXCLUDED.audio, updated_at = now()";
constexpr const char* kGet =
    "SELECT content_type, audio FROM recordings WHERE network_id = $1 AND language = $2 AND message = $3";
constexpr const char* kMessages = "SELECT message FROM recordings WHERE network_id = $1 AND language = $2";

}  // namespace

void PutRecording(pqxx::work& tx, std::int64_t network_id, const std::string& language, const std::string& message,
                  const Recording& r) {
  tx.exec_params(kPut, network_id, language, message, r.content_type, Bytea(r.audio));
}

std::optional<Recording> GetRecording(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& language,
                                      const std::string& message) {
  auto rows = tx.exec_params(kGet, network_id, language, message);
  if (rows.empty()) return std::nullopt;
  return Recording{rows[0][0].as<std::string>(), FromBytea(rows[0][1]).value_or("")};
}

std::set<std::string> RecordedMessages(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& language) {
  std::set<std::string> out;
  for (const auto& r : tx.exec_params(kMessages, network_id, language)) out.insert(r[0].as<std::string>());
  return out;
}

}  // namespace tocsin
