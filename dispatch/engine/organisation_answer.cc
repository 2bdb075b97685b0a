#include "dispatch/engine/organisation_answer.h"

#include "dispatch/util/sealed_places.h"

#include <boost/json.hpp>

#include "dispatch/model/validation.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/organisation_response_store.h"

namespace tocsin {

namespace json = boost::json;

Result<OrganisationResponseView> OrganisationAnswer::Record(pqxx::work& tx, const Network& net,
                                                            const OrganisationAnswerInput& in,
                                                            const std::string& actor, std::int64_t now_ms) const {
  if (in.answer != "going" && in.answer != "cannot") return Error::Invalid("answer", "must be going or cannot");
  if (in.note) {
    if (auto s = CheckText(*in.note, "note", kMaxAnswerNote); !s.ok()) return s.error();
  }
  const AlertStore alerts(cipher_);
  auto alert = alerts.Get(tx, net.id, in.alert_id);
  if (!alert.ok() || !OrganisationReachedBy(tx, in.alert_id, in.organisation_id)) {
    return Error::NotFound("no such alert");
  }
  if (alert->status != "open") return Error::Conflict("status", "the alert has ended");
  std::optional<std::string> sealed;
  if (in.note) sealed = cipher_.Seal(*in.note, places::OrganisationNote(net.id, in.alert_id, in.organisation_id));
  auto stored = InsertOrganisationResponse(tx, net.id, in.alert_id, in.organisation_id, in.answer, in.note, sealed);
  RecordAudit(tx, net.id, actor, "alerts.answer", "alert:" + std::to_string(in.alert_id),
              json::serialize(json::object{{"organisation", stored.slug}, {"answer", in.answer}}));
  webhooks_.Queue(tx, net, in.alert_id, "answer.recorded",
                  {{"answer", in.answer}, {"organisation", {{"slug", stored.slug}, {"name", stored.name}}}}, now_ms);
  return stored;
}

std::string OrganisationAnswerEventJson(const OrganisationResponseView& r) {
  return json::serialize(json::object{{"organisation", r.slug}, {"name", r.name}, {"answer", r.answer}});
}

}  // namespace tocsin
