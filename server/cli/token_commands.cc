// token create, list, revoke: a network's API tokens, straight in the database, audited as "cli".
#include <iostream>

#include "dispatch/store/audit_log.h"
#include "dispatch/store/token_registry.h"
#include "server/cli/command.h"
#include "server/cli/table.h"

namespace tocsin::cli {
namespace {

Result<int> TokenCreate(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto slug = a.Require("network");
  auto role = a.Require("role");
  auto label = a.Get("label", "");
  // An integration token answering alerts for one organisation (a slug), as the API's
  // {"role": "integration", "organisation": "..."}.
  auto organisation = a.Get("organisation");
  auto network = LoadNetwork(*ctx.db, slug);
  if (!network.ok()) return network.error();
  auto create = [&](pqxx::connection& c) -> Result<NewTokenResult> {
    pqxx::work tx(c);
    auto t = CreateToken(tx, *ctx.cipher, network->id, role, label, organisation);
    if (!t.ok()) return t;
    RecordAudit(tx, network->id, "cli", "tokens.create", "token:" + std::to_string(t->id),
                organisation ? "{\"organisation\":\"" + *organisation + "\"}" : "{}");
    tx.commit();
    return t;
  };
  auto t = ctx.db->RunSync(create);
  if (!t.ok()) return t.error();
  std::cout << t->token << "\n";
  return 0;
}

Result<int> TokenList(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto network = LoadNetwork(*ctx.db, a.Require("network"));
  if (!network.ok()) return network.error();
  auto list = [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListTokens(tx, network->id);
  };
  Table table({"ID", "ROLE", "LABEL", "CREATED", "LAST USED", "REVOKED"});
  for (const auto& t : ctx.db->RunSync(list)) {
    table.Add({std::to_string(t.id), t.role, t.label, t.created_at, t.last_used_at.value_or("-"),
               t.revoked_at.value_or("-")});
  }
  table.Print(std::cout);
  return 0;
}

Result<int> TokenRevoke(const Context& ctx, const Args& a) {
  auto id = a.PositionalId("token ID");
  auto network = LoadNetwork(*ctx.db, a.Require("network"));
  if (!network.ok()) return network.error();
  auto revoke = [&](pqxx::connection& c) -> Status {
    pqxx::work tx(c);
    auto r = RevokeToken(tx, network->id, id);
    if (!r.ok()) return r;
    RecordAudit(tx, network->id, "cli", "tokens.revoke", "token:" + std::to_string(id));
    tx.commit();
    return r;
  };
  if (auto r = ctx.db->RunSync(revoke); !r.ok()) return r.error();
  std::cerr << "revoked token " << id << "\n";
  return 0;
}

}  // namespace

std::vector<Command> TokenCommands() {
  return {
      {"token", "create", "--network S --role admin|coordinator|viewer|integration [--label L] [--organisation SLUG]",
       "Creates an API token of the network and prints only the token (shown this once).\n"
       "--organisation (integration tokens only) makes it answer alerts for that organisation.\n",
       {"network", "role", "label", "organisation"}, {}, Needs::kDataKey, TokenCreate},
      {"token", "list", "--network S",
       "Lists the network's tokens: id, role, label, created, last used (to the minute), "
       "revoked.\nNever the tokens themselves.\n",
       {"network"}, {}, Needs::kDataKey, TokenList},
      {"token", "revoke", "--network S ID",
       "Revokes token ID of the network: it is refused from then on.\n",
       {"network"}, {}, Needs::kDataKey, TokenRevoke},
  };
}

}  // namespace tocsin::cli
