#include "dispatch/fanout/email_fanout.h"

#include <spdlog/spdlog.h>

#include "dispatch/message/email_text.h"
#include "dispatch/store/email_delivery_store.h"
#include "dispatch/store/organisation_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::int64_t EmailFanout::Queue(pqxx::work& tx, const Network& net, const Alert& alert,
                                const std::vector<std::int64_t>& organisations, std::int64_t now_ms,
                                const CaseText* case_text, const char* type) const {
  std::int64_t queued = 0;
  for (auto org_id : OrganisationsWithEmail(tx, organisations)) {
    auto org = GetOrganisation(tx, net.id, org_id);
    if (!org.ok()) continue;
    AlertEmailFields f;
    f.kind = alert.kind;
    f.code = alert.code;
    f.areas = Join(alert.areas, ", ");
    f.location = alert.location;
    f.details = alert.details;
    f.deadline = alert.deadline.value_or("");
    if (case_text) {
      f.location = case_text->location;
      f.details = case_text->details;
      f.deadline = case_text->deadline;
    }
    f.network = net.name;
    if (!public_url_.empty() && OrganisationCanAnswer(tx, org_id)) {
      f.answer_link = public_url_ + "/v1/networks/" + net.slug + "/alerts/" + std::to_string(alert.id) + "/responses";
    }
    auto text = RenderAlertEmail(templates_, org->language, f);
    if (!text.ok()) {
      // A template the operator broke: the organisation is told nothing by email; the log says
      // which (no personal data in it).
      spdlog::error("email to organisation {} for alert {} not rendered: {}", org_id, alert.id, text.error().message);
      continue;
    }
    EmailEvent e;
    e.network_id = net.id;
    e.alert_id = alert.id;
    e.organisation_id = org_id;
    e.type = type;
    e.language = org->language;
    e.message_id = NewToken("eml_");
    e.body_sealed = cipher_.Seal(JoinEmailText(text->subject, text->body), places::EmailBody(net.id, e.message_id));
    e.now_ms = now_ms;
    queued += QueueEmailEvent(tx, e);
  }
  return queued;
}

}  // namespace tocsin
