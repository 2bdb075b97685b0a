#include "dispatch/model/reply_decision.h"

#include "dispatch/model/call_list.h"
#include "dispatch/model/reply_parser.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

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

ReplyDecision ReplyService::Decide(const InboundSms& sms, const std::optional<SenderLookup>& sender) const {
  ReplyDecision out;
  if (!sender || !sender->member_id) {
    out.outcome = "unknown_sender";  // not a member: nothing about any alert goes back
    return out;
  }
  const auto& who = *sender;
  out.member_id = *who.member_id;

  auto reply = ParseReply(sms.body);
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
  } else if (!who.open_alerts.empty()) {
    alert = who.open_alerts.front();  // newest first
  }
  if (!alert) {
    out.outcome = reply.kind == ReplyKind::kText ? "text_no_alert" : "no_alert";
    if (reply.kind != ReplyKind::kText) out.reply_texts = {Render(who, "unknown", "")};
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
    out.reply_texts = {Render(who, going ? "confirm_going" : "confirm_cannot", alert->second)};
  } else {
    rec.answer = "text";
    rec.text_sealed = cipher_.Seal(reply.text.substr(0, 1600));
    out.outcome = "text";
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
