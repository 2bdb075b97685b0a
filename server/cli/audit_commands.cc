// audit show: the audit log, newest first, of one network or of all (with the server's own
// entries), straight from the database.
#include <iostream>

#include "dispatch/model/validation.h"
#include "dispatch/store/audit_log.h"
#include "server/cli/command.h"
#include "server/cli/table.h"

namespace tocsin::cli {
namespace {

Result<int> AuditShow(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  AuditQuery q;
  q.since = a.Get("since");
  if (q.since) {
    if (auto s = CheckTime(*q.since, "since"); !s.ok()) return s.error();
  }
  q.limit = static_cast<int>(a.Int("limit", 1, 10000).value_or(100));
  if (auto slug = a.Get("network")) {
    auto network = LoadNetwork(*ctx.db, *slug);
    if (!network.ok()) return network.error();
    q.network_id = network->id;
  }
  auto list = [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListAudit(tx, q);
  };
  Table table({"ID", "AT", "NETWORK", "ACTOR", "ACTION", "TARGET", "DETAIL"});
  for (const auto& e : ctx.db->RunSync(list)) {
    table.Add({std::to_string(e.id), e.at, e.network.value_or("(server)"), e.actor, e.action,
               e.target, e.detail_json == "{}" ? "" : e.detail_json});
  }
  table.Print(std::cout);
  return 0;
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {
      {"audit", "show", "[--network S] [--since 2026-11-30T00:00:00Z] [--limit 100]",
       "Shows the audit log, newest first: who (admin, token:<id> or cli) did what to which\n"
       "ids. Without --network, every network and the server's own entries.\n"
       "  --since TIME   only entries at or after this RFC 3339 time\n"
       "  --limit N      at most N entries (1..10000, default 100)\n",
       {"network", "since", "limit"}, {}, Needs::kDataKey, AuditShow},
  };
}

}  // namespace tocsin::cli
