#include "dispatch/model/reply_decision.h"

#include "dispatch/message/voice_twiml.h"
#include "dispatch/model/call_list.h"
#include "dispatch/model/reply_parser.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

constexpr std::size_t kListedOpen = 3;  // codes named in still_open

}  // namespace

std::string TwimlMessages(const std::vector<std::string>& texts) {
  std::string messages;
  for (const auto& text : texts) {
    if (!text.empty()) messages += "<Message>" + XmlEscape(text) + "</Message>";
  }
  if (messages.empty()) return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + messages + "</Response>";
}

std::string ReplyService::Render(const SenderLookup& who, const std::string& key, const std::string& code) const {
  auto text = templates_.Render(who.language, who.default_language, "", key, {{"network", who.network}, {"code", code}});
  return text.ok() ? text.value() : "";
}

std::string ReplyService::ConfirmGoing(const SenderLookup& who, std::int64_t alert_id, const std::string& code) const {
  for (const auto& place : who.tiered_places) {
    if (place.alert_id != alert_id) continue;
    auto location = cipher_.Open(place.location_sealed, places::AlertLocation(who.network_id, alert_id));
    if (!location) break;  // unreadable: the plain confirmation, never a wrong place
    std::string details;
    if (!place.details_sealed.empty()) {
      details = cipher_.Open(place.details_sealed, places::AlertDetails(who.network_id, alert_id)).value_or("");
    }
    auto text = templates_.Render(who.language, who.default_language, "", "confirm_going_place",
                                  {{"network", who.network}, {"code", code}, {"location", *location},
                                   {"details", details}});
    if (text.ok()) return text.value();
    break;
  }
  return Render(who, "confirm_going", code);
}

std::string ReplyService::RenderWithOpen(const SenderLookup& who, const std::string& key,
                                         const std::string& code) const {
  auto text = Render(who, key, code);
  if (who.open_alerts.empty()) return text + " " + Render(who, "none_open", "");
  std::string codes;
  for (std::size_t i = 0; i < who.open_alerts.size() && i < kListedOpen; ++i) {
    codes += (i ? ", " : "") + who.open_alerts[i].second;
  }
  auto open = templates_.Render(who.language, who.default_language, "", "still_open",
                                {{"codes", codes}, {"code", who.open_alerts.front().second}});
  return open.ok() ? text + " " + open.value() : text;
}

ReplyDecision ReplyService::Decide(const InboundSms& sms, const ParsedReply& reply,
                                   const std::optional<SenderLookup>& sender) const {
  ReplyDecision out;
  if (!sender) {
    out.outcome = "unknown_sender";  // a number that is no network's
    return out;
  }
  if (!sender->member_id) {
    // Not a member: nothing about any alert goes back, but STOP and START still count (the
    // network's stop list keeps them for whenever the number is added as a member).
    if (reply.kind == ReplyKind::kStop) out.set_status = "opted_out";
    if (reply.kind == ReplyKind::kStart) out.set_status = "active";
    out.outcome = "unknown_sender";
    return out;
  }
  const auto& who = *sender;
  out.member_id = *who.member_id;

  switch (reply.kind) {
    case ReplyKind::kStop:
      out.set_status = "opted_out";
      out.outcome = "stop";
      out.reply_texts = {Render(who, "stopped", "")};
      return out;
    case ReplyKind::kStart:
      out.set_status = "active";
      out.outcome = "start";
      out.reply_texts = {Render(who, "started", "")};
      return out;
    case ReplyKind::kHelp:
      out.outcome = "help";
      out.reply_texts = {who.help_text.empty() ? Render(who, "help", "") : who.help_text};
      return out;
    default:
      break;
  }
  if (who.status == "opted_out") {
    out.outcome = "opted_out";  // until START, nothing is recorded or sent
    return out;
  }
  if (reply.kind == ReplyKind::kList) {
    out.outcome = "list";
    out.wants_call_list = true;
    return out;
  }
  // The alert named by code, else the most recent open one the member was sent.
  std::optional<std::pair<std::int64_t, std::string>> alert;
  if (reply.alert_code) {
    for (const auto& a : who.open_alerts) {
      if (a.second == *reply.alert_code) alert = a;
    }
    if (!alert) {  // a code, but of nothing the member can answer now
      out.outcome = who.named_alert_ended ? "alert_ended" : "unknown_code";
      out.reply_texts = {RenderWithOpen(who, who.named_alert_ended ? "code_ended" : "code_unknown", *reply.alert_code)};
      return out;
    }
  } else if (!who.open_alerts.empty()) {
    alert = who.open_alerts.front();  // newest first
  }
  if (!alert) {  // nothing open to answer or to keep the text on
    if (reply.unknown_code) {
      out.outcome = "unknown_code";
      out.reply_texts = {RenderWithOpen(who, "code_unknown", *reply.unknown_code)};
    } else if (reply.kind == ReplyKind::kText) {
      out.outcome = "text_no_alert";
    } else {
      out.outcome = "no_alert";
      out.reply_texts = {Render(who, "none_open", "")};
    }
    return out;
  }
  ResponseRecord rec;
  rec.alert_id = alert->first;
  rec.network_id = who.network_id;
  rec.member_id = *who.member_id;
  if (!sms.sid.empty()) rec.provider_id = sms.sid;
  if (reply.kind == ReplyKind::kGoing || reply.kind == ReplyKind::kCannot) {
    bool going = reply.kind == ReplyKind::kGoing;
    rec.answer = going ? "going" : "cannot";
    out.outcome = rec.answer;
    out.reply_texts = {going ? ConfirmGoing(who, alert->first, alert->second)
                             : Render(who, "confirm_cannot", alert->second)};
  } else {
    rec.answer = "text";
    rec.text_sealed = cipher_.Seal(reply.text.substr(0, 1600),
                                   places::ResponseText(rec.network_id, rec.alert_id, rec.member_id));
    out.outcome = "text";
    if (reply.unknown_code) {
      out.outcome = "unknown_code";
      out.reply_texts = {RenderWithOpen(who, "code_unknown", *reply.unknown_code)};
    }
  }
  out.record = std::move(rec);
  return out;
}

std::vector<std::string> ReplyService::CallListReply(const SenderLookup& who,
                                                    const std::vector<CallListPerson>& people) const {
  auto texts = CallListTexts(templates_, who.language, who.default_language).ListTexts(people);
  return texts.ok() ? std::move(texts).value() : std::vector<std::string>{};
}

}  // namespace tocsin
