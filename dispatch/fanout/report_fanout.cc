#include "dispatch/fanout/report_fanout.h"

#include <algorithm>

#include "dispatch/message/segments.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/store/queue_store.h"
#include "dispatch/store/verification_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

std::string ReportFanout::DefaultLanguage(const Network& net) const {
  return templates_.HasLanguage(net.default_language) ? net.default_language : "en";
}

std::string ReportFanout::Text(const Network& net, const std::string& language, const std::string& key,
                               const std::map<std::string, std::string>& vars) const {
  auto text = templates_.RenderReport(language, DefaultLanguage(net), key, vars);
  return text.ok() ? text.value() : std::string();
}

std::map<std::string, std::string> ReportFanout::Texts(const Network& net, const std::string& key,
                                                      const std::map<std::string, std::string>& vars) const {
  std::map<std::string, std::string> out;
  for (const auto& language : templates_.Languages()) {
    if (auto text = Text(net, language, key, vars); !text.empty()) out.emplace(language, std::move(text));
  }
  return out;
}

int ReportFanout::Store(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& message_kind,
                        const std::string& key, const std::map<std::string, std::string>& vars) const {
  const int seq = alerts_.NextSeq(tx, alert_id);
  for (const auto& language : templates_.Languages()) {
    auto text = templates_.RenderReport(language, DefaultLanguage(net), key, vars);
    if (!text.ok()) return 0;
    auto segments = std::max(1, MeasureSms(text.value()).segments);
    auto sealed = cipher_.Seal(text.value(), places::MessageBody(net.id, alert_id, seq, language));
    InsertAlertMessage(tx, alert_id, seq, message_kind, language, ToHex(sealed), segments);
  }
  return seq;
}

std::int64_t ReportFanout::ToVerifiers(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                                       const std::vector<std::string>& areas) const {
  if (seq == 0 || areas.empty()) return 0;
  return QueueForRoleIn(tx, alert_id, net.id, seq, "verifier", ToPgArray(areas), ToPgArray(templates_.Languages()),
                        DefaultLanguage(net));
}

std::int64_t ReportFanout::ToMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                                     const std::vector<std::int64_t>& ids) const {
  if (seq == 0 || ids.empty()) return 0;
  return QueueForMembersOf(tx, alert_id, net.id, seq, ToPgArray(ids), ToPgArray(templates_.Languages()),
                           DefaultLanguage(net));
}

std::int64_t ReportFanout::ToReporters(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                                       std::int64_t report_id) const {
  if (seq == 0) return 0;
  return ToMembers(tx, net, alert_id, seq, MemberReporters(tx, report_id)) +
         QueueForReporters(tx, alert_id, net.id, seq, report_id, ToPgArray(templates_.Languages()),
                           DefaultLanguage(net));
}

std::int64_t ReportFanout::ToCoordinators(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq) const {
  if (seq == 0) return 0;
  return QueueForRole(tx, alert_id, net.id, seq, "coordinator", ToPgArray(templates_.Languages()),
                      DefaultLanguage(net));
}

}  // namespace tocsin
