#include "dispatch/engine/case_done.h"

#include "dispatch/model/case_actions.h"
#include "dispatch/store/case_action_store.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

std::optional<std::vector<std::string>> CaseDone::Record(pqxx::work& tx, const InboundSms& sms,
                                                         std::int64_t now_ms) const {
  auto done = ParseDone(sms.body);
  if (!done) return std::nullopt;
  auto sender = reports_.Sender(tx, sms.to, sms.from);
  if (!sender || !sender->active_member()) return std::nullopt;
  auto ask = LatestAskSent(tx, sender->network_id, *sender->member_id, done->alert_code);
  if (!ask) return std::nullopt;
  CountAction(tx, sender->network_id, *ask, *sender->member_id, now_ms);
  auto net = FindNetworkById(tx, sender->network_id);
  auto c = cases_.Get(tx, sender->network_id, ask->case_id);
  if (!net || !c.ok()) return std::vector<std::string>{};
  std::int64_t total = 0;
  for (const auto& [action, n] : CountCaseActions(tx, net->id, ask->case_id).total) total += n;
  auto text = templates_.RenderCase(sender->language, net->default_language, "done_thanks",
                                    {{"network", net->name}, {"code", ask->code}, {"count", std::to_string(total)},
                                     {"pseudonym", c->pseudonym}});
  return text.ok() ? std::vector<std::string>{text.value()} : std::vector<std::string>{};
}

}  // namespace tocsin
