#include "server/api/case_sms.h"

#include "dispatch/engine/engine.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/case_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/store/report_store.h"
#include "dispatch/store/sender_lookup.h"

namespace tocsin {
namespace {

constexpr std::size_t kMaxWhereBytes = 200;

struct CaseSender {
  Network network;
  std::int64_t case_id = 0;
  std::string language;
  bool repeat = false;
};

// At most kMaxWhereBytes of `text`, never cutting a UTF-8 character; "?" when empty.
std::string Where(const std::string& text) {
  if (text.empty()) return "?";
  if (text.size() <= kMaxWhereBytes) return text;
  std::size_t end = kMaxWhereBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

boost::asio::awaitable<std::optional<std::vector<std::string>>> TakeCaseSms(App& app, const InboundSms* sms) {
  auto command = app.report_words.Match(sms->body);
  if (!command || command->word != ReportWord::kDetained || !app.engine) co_return std::nullopt;
  auto sender = co_await app.db.Run([&](pqxx::connection& c) -> std::optional<CaseSender> {
    pqxx::work tx(c);
    const ReportStore reports(app.cipher);
    auto from = reports.Sender(tx, sms->to, sms->from);
    if (!from) return std::nullopt;
    auto id = OpenCaseByPhoneHash(tx, from->network_id, app.cipher.LookupHash(from->network_id, sms->from));
    if (!id) return std::nullopt;
    auto network = FindNetworkById(tx, from->network_id);
    auto the_case = CaseStore(app.cipher).Get(tx, from->network_id, *id);
    if (!network || !the_case.ok()) return std::nullopt;
    const bool repeat = !sms->sid.empty() && FirstSeen(tx, {sms->sid}).empty();
    tx.commit();
    return CaseSender{*network, *id, the_case->language, repeat};
  });
  if (!sender) co_return std::nullopt;
  if (sender->repeat) co_return std::vector<std::string>{};
  CaseEventInput in;
  in.type = "detained";
  in.detail = Where(command->rest);
  auto done = co_await app.engine->RecordCaseEvent(sender->network, sender->case_id, in, "sms");
  if (!done.ok()) co_return std::vector<std::string>{};
  auto text = app.templates.RenderCase(sender->language, sender->network.default_language, "detained_received",
                                       {{"network", sender->network.name}});
  co_return text.ok() ? std::vector<std::string>{text.value()} : std::vector<std::string>{};
}

}  // namespace tocsin
