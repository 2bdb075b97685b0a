#include "dispatch/fanout/fanout.h"

#include <algorithm>

#include "dispatch/message/segments.h"
#include "dispatch/store/call_list_store.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/store/queue_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

std::map<std::string, std::string> Vars(const Network& net, const Alert& a, const std::string& message) {
  // {organisation} (webhook_failed, email_failed) is the organisation's name and {count} (approval_needed)
  // the audience waiting, each passed as the message. A tiered alert's texts have no location
  // or details to put anywhere, whatever a template asks for.
  std::string areas;
  for (const auto& area : a.areas) areas += (areas.empty() ? "" : ", ") + area;
  return {{"code", a.code},
          {"location", a.tiered ? "" : a.location},
          {"details", a.tiered ? "" : a.details},
          {"areas", areas},
          {"deadline", a.deadline.value_or("")},
          {"message", message},
          {"network", net.name},
          {"organisation", message},
          {"count", message}};
}

// The template key of `message_kind` for `a`: a tiered alert's alert message and reminder have
// texts of their own (alert_tiered, reminder_tiered), naming the areas instead of the place.
// A ladder's call reads the alert message itself.
std::string TemplateKey(const Alert& a, const std::string& message_kind) {
  if (message_kind == "call" || message_kind == "call_text") return TemplateKey(a, "alert");
  if (a.tiered && (message_kind == "alert" || message_kind == "reminder")) return message_kind + "_tiered";
  return message_kind;
}

}  // namespace

std::string Fanout::DefaultLanguage(const Network& net) const {
  return templates_.HasLanguage(net.default_language) ? net.default_language : "en";
}

Status Fanout::StoreMessages(pqxx::work& tx, const Network& net, const Alert& alert, int seq,
                             const std::string& message_kind, const std::string& message,
                             const std::map<std::string, std::string>& marker) const {
  // The stand-down, the reminder and the coordinators' notices are one text for every kind
  // (top-level template keys).
  const bool top_level = message_kind == "stand_down" || message_kind == "reminder" ||
                         message_kind == "webhook_failed" || message_kind == "email_failed" ||
                         message_kind == "approval_needed";
  const std::string template_kind = top_level ? "" : alert.kind;
  const auto vars = Vars(net, alert, message);
  const std::string details = vars.at("details");
  auto marker_in = [&](const std::string& language) {
    for (const std::string& lang : {language, DefaultLanguage(net), std::string("en")}) {
      if (auto it = marker.find(lang); it != marker.end()) return it->second;
    }
    return std::string();
  };
  for (const auto& language : templates_.Languages()) {
    auto with_marker = vars;
    if (auto m = marker_in(language); !m.empty()) with_marker["details"] = details.empty() ? m : m + ". " + details;
    auto text = templates_.Render(language, DefaultLanguage(net), template_kind, TemplateKey(alert, message_kind),
                                  with_marker);
    if (!text.ok()) return text.error();
    auto segments = std::max(1, MeasureSms(text.value()).segments);
    auto sealed = cipher_.Seal(text.value(), places::MessageBody(net.id, alert.id, seq, language));
    InsertAlertMessage(tx, alert.id, seq, message_kind, language, ToHex(sealed), segments);
  }
  return Ok{};
}

std::int64_t Fanout::QueueAudience(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                   const PolicyAudience& audience, const std::string& channel,
                                   std::optional<std::int64_t> call_after_ms) const {
  std::optional<std::string> areas, members;
  switch (audience.scope) {
    case AreaScope::kAlert:
      areas = ToPgArray(alerts_.Areas(tx, alert_id));
      break;
    case AreaScope::kNeighbours:
      areas = ToPgArray(alerts_.NeighboursOf(tx, net.id, alerts_.Areas(tx, alert_id)));
      break;
    case AreaScope::kNamed:
      areas = ToPgArray(audience.areas);
      break;
    case AreaScope::kMembers:
      members = ToPgArray(audience.members);
      break;
    case AreaScope::kNetwork:
      break;
    case AreaScope::kTree:
      return 0;  // a tree is walked node by node (engine/tree_mover.h)
    case AreaScope::kNoMembers:
      return 0;  // organisations only (WebhookFanout::Reach)
  }
  // Named members are not filtered by role (a policy may not give roles with them).
  std::optional<std::string> roles;
  if (audience.scope != AreaScope::kMembers) {
    roles = ToPgArray(audience.roles.empty() ? std::vector<std::string>{"responder"} : audience.roles);
  }
  return QueueAlertMessage(tx, alert_id, net.id, areas, roles, members, ToPgArray(templates_.Languages()),
                           DefaultLanguage(net), channel, call_after_ms);
}

std::int64_t Fanout::QueueMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                  std::vector<std::int64_t> ids, const std::string& channel) const {
  if (ids.empty()) return 0;
  PolicyAudience audience;
  audience.scope = AreaScope::kMembers;
  audience.roles.clear();
  audience.members = std::move(ids);
  return QueueAudience(tx, net, alert_id, audience, channel);
}

std::int64_t Fanout::AddCallLists(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                  const std::vector<CallListOwed>& owed) const {
  if (owed.empty()) return 0;
  std::vector<std::int64_t> relayers, everyone;
  std::map<std::int64_t, const CallListOwed*> by_relayer;
  for (const auto& o : owed) {
    relayers.push_back(o.relayer);
    everyone.insert(everyone.end(), o.people.begin(), o.people.end());
    by_relayer[o.relayer] = &o;
  }
  auto queued = QueuedAlertDeliveries(tx, alert_id, relayers);
  if (queued.empty()) return 0;
  auto people = PeopleToCall(tx, cipher_, everyone);
  std::map<std::string, std::optional<std::string>> alert_texts;  // by language, opened
  std::int64_t given = 0;
  for (const auto& d : queued) {
    auto [it, fresh] = alert_texts.try_emplace(d.language);
    if (fresh) {
      auto sealed = SealedAlertMessage(tx, alert_id, d.language);
      if (sealed) it->second = cipher_.Open(*sealed, places::MessageBody(net.id, alert_id, 0, d.language));
    }
    if (!it->second) continue;  // not stored in that language: the shared message goes
    // A relayer who is called hears names only (model/call_list.h, 3b).
    const CallListTexts texts(templates_, d.language, DefaultLanguage(net));
    const auto to_call = InCallingOrder(people, by_relayer.at(d.member)->people);
    auto text = d.channel == "voice" ? texts.VoiceAlertText(*it->second, to_call) : texts.AlertText(*it->second, to_call);
    if (!text.ok()) continue;
    auto segments = std::max(1, MeasureSms(text.value()).segments);
    SetDeliveryText(tx, d.id, ToHex(cipher_.Seal(text.value(), places::DeliveryBody(net.id, d.id))), segments);
    ++given;
  }
  return given;
}

std::int64_t Fanout::QueueForReached(pqxx::work& tx, std::int64_t alert_id, int seq) const {
  return tocsin::QueueForReached(tx, alert_id, seq);
}

std::int64_t Fanout::TellCoordinators(pqxx::work& tx, const Network& net, const Alert& alert,
                                      const std::string& message_kind, const std::string& message) const {
  int seq = alerts_.NextSeq(tx, alert.id);
  if (!StoreMessages(tx, net, alert, seq, message_kind, message).ok()) return 0;
  return QueueForRole(tx, alert.id, net.id, seq, "coordinator", ToPgArray(templates_.Languages()),
                      DefaultLanguage(net));
}

std::int64_t Fanout::StandDown(pqxx::work& tx, const Network& net, const Alert& alert) const {
  CancelQueuedAlertMessage(tx, alert.id);
  int seq = alerts_.NextSeq(tx, alert.id);
  if (!StoreMessages(tx, net, alert, seq, "stand_down").ok()) return 0;
  return QueueStandDown(tx, alert.id, seq);
}

std::optional<int> Fanout::StoredOnce(pqxx::work& tx, const Network& net, const Alert& alert,
                                      const std::string& message_kind) const {
  auto seq = alerts_.MessageSeq(tx, alert.id, message_kind);
  if (seq) return seq;
  seq = alerts_.NextSeq(tx, alert.id);
  if (!StoreMessages(tx, net, alert, *seq, message_kind).ok()) return std::nullopt;
  return seq;
}

std::int64_t Fanout::Remind(pqxx::work& tx, const Network& net, const Alert& alert,
                            const std::vector<std::int64_t>& deliveries) const {
  if (deliveries.empty()) return 0;
  auto seq = StoredOnce(tx, net, alert, "reminder");
  return seq ? QueueReminders(tx, alert.id, *seq, deliveries) : 0;
}

std::int64_t Fanout::CallTexted(pqxx::work& tx, const Network& net, const Alert& alert,
                                const std::vector<std::int64_t>& deliveries) const {
  if (deliveries.empty()) return 0;
  auto seq = StoredOnce(tx, net, alert, "call");
  return seq ? QueueCalls(tx, alert.id, *seq, deliveries) : 0;
}

std::int64_t Fanout::TextBesideCalls(pqxx::work& tx, const Network& net, std::int64_t alert_id) const {
  if (voiceless_.empty()) return 0;
  const auto languages = ToPgArray(voiceless_);
  if (!HasVoicelessCalls(tx, alert_id, languages)) return 0;
  auto alert = alerts_.Get(tx, net.id, alert_id);
  if (!alert.ok()) return 0;
  auto seq = StoredOnce(tx, net, alert.value(), "call_text");
  return seq ? QueueTextBeside(tx, alert_id, *seq, languages) : 0;
}

std::int64_t Fanout::CallBackups(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                 const std::vector<std::int64_t>& deliveries) const {
  if (deliveries.empty()) return 0;
  return QueueMembers(tx, net, alert_id, MarkBackedUp(tx, alert_id, deliveries));
}

}  // namespace tocsin
