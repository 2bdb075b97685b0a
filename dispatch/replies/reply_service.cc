#include "dispatch/replies/reply_service.h"

#include "dispatch/replies/reply_parser.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

// One statement for a batch: for each (number, sender hash), the network behind the number,
// the member behind the sender, and the member's open alerts (ones they were sent, or whose
// phone tree they are in: a relay branch confirms without a message from us), newest first, as
// "id:code".
constexpr const char* kLookup =
    "SELECT q.i, n.id, n.name, n.default_language, n.help_text, m.id, m.language, m.status,"
    " (SELECT array_agg(a.id::text || ':' || a.code ORDER BY a.id DESC) FROM alerts a"
    "   WHERE a.network_id = n.id AND a.status = 'open' AND (EXISTS (SELECT 1 FROM deliveries d"
    "   WHERE d.alert_id = a.id AND d.member_id = m.id AND d.seq = 0) OR EXISTS (SELECT 1"
    "   FROM tree_run_nodes t WHERE t.member_id = m.id AND t.alert_id = a.id)))"
    " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(number, hash, i)"
    " JOIN network_numbers nn ON nn.number = q.number JOIN networks n ON n.id = nn.network_id"
    " LEFT JOIN members m ON m.network_id = n.id AND m.phone_hash = decode(q.hash, 'hex')";
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

std::string ReplyService::Render(const SenderLookup& who, const std::string& key, const std::string& code) const {
  auto text = templates_.Render(who.language, who.default_language, "", key, {{"network", who.network}, {"code", code}});
  return text.ok() ? text.value() : "";
}

std::vector<std::optional<SenderLookup>> ReplyService::LookupSenders(
    pqxx::transaction_base& tx, const std::vector<InboundSms>& batch) const {
  std::vector<std::string> numbers, hashes;
  for (const auto& sms : batch) {
    numbers.push_back(sms.to);
    hashes.push_back(ToHex(cipher_.LookupHash(sms.from)));
  }
  std::vector<std::optional<SenderLookup>> out(batch.size());
  for (const auto& r : tx.exec_params(kLookup, ToPgArray(numbers), ToPgArray(hashes))) {
    SenderLookup who;
    who.network_id = r[1].as<std::int64_t>();
    who.network = r[2].as<std::string>();
    who.default_language = r[3].as<std::string>();
    who.help_text = r[4].as<std::string>();
    if (!r[5].is_null()) {
      who.member_id = r[5].as<std::int64_t>();
      who.language = r[6].as<std::string>();
      who.status = r[7].as<std::string>();
    }
    for (const auto& item : FromPgArray(r[8])) {
      auto colon = item.find(':');
      who.open_alerts.emplace_back(std::stoll(item.substr(0, colon)), item.substr(colon + 1));
    }
    out[r[0].as<std::size_t>() - 1] = std::move(who);
  }
  return out;
}

void ReplyService::ApplyStatus(pqxx::transaction_base& tx, const ReplyDecision& d) const {
  if (d.set_status == "opted_out") tx.exec_params(kOptOut, d.member_id);
  if (d.set_status == "active") tx.exec_params(kOptIn, d.member_id);
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
      out.reply_text = Render(who, "stopped", "");
      return out;
    case ReplyKind::kStart:
      out.set_status = "active";
      out.outcome = "start";
      out.reply_text = Render(who, "started", "");
      return out;
    case ReplyKind::kHelp:
      out.outcome = "help";
      out.reply_text = who.help_text.empty() ? Render(who, "help", "") : who.help_text;
      return out;
    default:
      break;
  }
  if (who.status == "opted_out") {
    out.outcome = "opted_out";  // until START, nothing is recorded or sent
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
    out.reply_text = reply.kind == ReplyKind::kText ? "" : Render(who, "unknown", "");
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
    out.reply_text = Render(who, going ? "confirm_going" : "confirm_cannot", alert->second);
  } else {
    rec.answer = "text";
    rec.text_sealed = cipher_.Seal(reply.text.substr(0, 1600));
    out.outcome = "text";
  }
  out.record = std::move(rec);
  return out;
}

}  // namespace tocsin
