#include "dispatch/replies/reply_service.h"

#include "dispatch/replies/reply_parser.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

// One round trip: the network behind the number, the member behind the sender, and the
// member's open alerts (ones they were sent, or whose phone tree they are in: a relay branch
// confirms without a message from us), newest first, as "id:code".
constexpr const char* kLookup =
    "SELECT n.id, n.name, n.default_language, n.help_text, m.id, m.language, m.status,"
    " (SELECT array_agg(a.id::text || ':' || a.code ORDER BY a.id DESC) FROM alerts a"
    "   WHERE a.network_id = n.id AND a.status = 'open' AND (EXISTS (SELECT 1 FROM deliveries d"
    "   WHERE d.alert_id = a.id AND d.member_id = m.id AND d.seq = 0) OR EXISTS (SELECT 1"
    "   FROM tree_run_nodes t WHERE t.member_id = m.id AND t.alert_id = a.id)))"
    " FROM network_numbers nn JOIN networks n ON n.id = nn.network_id"
    " LEFT JOIN members m ON m.network_id = n.id AND m.phone_hash = $2"
    " WHERE nn.number = $1";
constexpr const char* kOptOut =
    "UPDATE members SET status = 'opted_out', updated_at = now() WHERE id = $1";
constexpr const char* kOptIn =
    "UPDATE members SET status = 'active', consent_at = now(), updated_at = now()"
    " WHERE id = $1 AND status <> 'active'";

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

std::string TwimlMessage(const std::string& text) {
  if (text.empty()) return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>" + XmlEscape(text) +
         "</Message></Response>";
}

std::string ReplyService::Render(const std::string& language, const std::string& fallback,
                                 const std::string& key, const std::string& network,
                                 const std::string& code) const {
  auto text = templates_.Render(language, fallback, "", key, {{"network", network}, {"code", code}});
  return text.ok() ? text.value() : "";
}

ReplyDecision ReplyService::Decide(pqxx::transaction_base& tx, const InboundSms& sms) const {
  ReplyDecision out;
  auto rows = tx.exec_params(kLookup, sms.to, Bytea(cipher_.LookupHash(sms.from)));
  if (rows.empty() || rows[0][4].is_null()) {
    out.outcome = "unknown_sender";  // not a member: nothing about any alert goes back
    return out;
  }
  const auto& r = rows[0];
  auto network_id = r[0].as<std::int64_t>();
  auto network = r[1].as<std::string>();
  auto fallback = r[2].as<std::string>();
  auto help_text = r[3].as<std::string>();
  auto member_id = r[4].as<std::int64_t>();
  auto language = r[5].as<std::string>();
  auto status = r[6].as<std::string>();
  std::vector<std::pair<std::int64_t, std::string>> open;  // newest first
  for (const auto& item : FromPgArray(r[7])) {
    auto colon = item.find(':');
    open.emplace_back(std::stoll(item.substr(0, colon)), item.substr(colon + 1));
  }

  auto reply = ParseReply(sms.body);
  switch (reply.kind) {
    case ReplyKind::kStop:
      tx.exec_params(kOptOut, member_id);
      out.outcome = "stop";
      out.reply_text = Render(language, fallback, "stopped", network, "");
      return out;
    case ReplyKind::kStart:
      tx.exec_params(kOptIn, member_id);
      out.outcome = "start";
      out.reply_text = Render(language, fallback, "started", network, "");
      return out;
    case ReplyKind::kHelp:
      out.outcome = "help";
      out.reply_text = help_text.empty() ? Render(language, fallback, "help", network, "") : help_text;
      return out;
    default:
      break;
  }
  if (status == "opted_out") {
    out.outcome = "opted_out";  // until START, nothing is recorded or sent
    return out;
  }
  // The alert named by code, else the most recent open one the member was sent.
  std::optional<std::pair<std::int64_t, std::string>> alert;
  if (reply.alert_code) {
    for (const auto& a : open) {
      if (a.second == *reply.alert_code) alert = a;
    }
  } else if (!open.empty()) {
    alert = open.front();
  }
  if (!alert) {
    out.outcome = reply.kind == ReplyKind::kText ? "text_no_alert" : "no_alert";
    out.reply_text = reply.kind == ReplyKind::kText ? "" : Render(language, fallback, "unknown", network, "");
    return out;
  }
  ResponseRecord rec;
  rec.alert_id = alert->first;
  rec.network_id = network_id;
  rec.member_id = member_id;
  if (!sms.sid.empty()) rec.provider_id = sms.sid;
  if (reply.kind == ReplyKind::kGoing || reply.kind == ReplyKind::kCannot) {
    bool going = reply.kind == ReplyKind::kGoing;
    rec.answer = going ? "going" : "cannot";
    out.outcome = rec.answer;
    out.reply_text = Render(language, fallback, going ? "confirm_going" : "confirm_cannot", network, alert->second);
  } else {
    rec.answer = "text";
    rec.text_sealed = cipher_.Seal(reply.text.substr(0, 1600));
    out.outcome = "text";
  }
  out.record = std::move(rec);
  return out;
}

}  // namespace tocsin
