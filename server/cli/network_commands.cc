// network create, network set: a network's settings, straight in the database, audited as "cli".
#include <algorithm>
#include <iostream>

#include <boost/json.hpp>

#include "dispatch/store/audit_log.h"
#include "dispatch/store/network_registry.h"
#include "server/cli/command.h"

namespace tocsin::cli {

Result<Network> LoadNetwork(DbPool& db, const std::string& slug) {
  auto find = [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return FindNetworkBySlug(tx, slug);
  };
  auto network = db.RunSync(find);
  if (!network) return Error::NotFound("no network '" + slug + "'");
  return std::move(*network);
}

namespace {

Result<int> NetworkCreate(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  NetworkInput in;
  in.name = a.Require("name");
  in.slug = a.Require("slug");
  for (auto& number : a.All("number")) in.numbers.push_back({number, std::nullopt});
  in.country = a.Get("country", "GB");
  in.default_language = a.Get("language", "en");
  in.retention_days = static_cast<int>(a.Int("retention-days", 1, 3650).value_or(30));
  auto normal = NormaliseNetworkInput(std::move(in));
  if (!normal.ok()) return normal.error();
  auto existing = [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return FindNetworkBySlug(tx, normal->slug).has_value();
  };
  if (a.Flag("if-not-exists") && ctx.db->RunSync(existing)) {
    std::cerr << "network '" << normal->slug << "' exists already\n";
    return 0;
  }
  auto create = [&](pqxx::connection& c) -> Result<Network> {
    pqxx::work tx(c);
    auto n = CreateNetwork(tx, normal.value());
    if (!n.ok()) return n;
    RecordAudit(tx, n->id, "cli", "networks.create", n->slug);
    tx.commit();
    return n;
  };
  auto n = ctx.db->RunSync(create);
  if (!n.ok()) return n.error();
  std::cerr << "created network '" << n->slug << "'\n";
  return 0;
}

Result<int> NetworkSet(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto slug = a.Require("network");
  NetworkChanges changes;
  changes.name = a.Get("name");
  changes.help_text = a.Get("help-text");
  changes.voice_message = a.Get("voice-message");
  changes.default_language = a.Get("default-language");
  if (auto days = a.Int("retention-days", 1, 3650)) changes.retention_days = static_cast<int>(*days);
  boost::json::array fields;
  for (const char* f : {"name", "help_text", "default_language", "retention_days", "voice_message"}) {
    std::string option = f;
    std::replace(option.begin(), option.end(), '_', '-');
    if (a.Has(option)) fields.emplace_back(f);
  }
  if (fields.empty()) {
    throw UsageError{
        "nothing to set: give --name, --help-text, --default-language, --retention-days or --voice-message"};
  }
  auto network = LoadNetwork(*ctx.db, slug);
  if (!network.ok()) return network.error();
  auto update = [&](pqxx::connection& c) -> Result<Network> {
    pqxx::work tx(c);
    auto n = UpdateNetwork(tx, network.value(), changes);
    if (!n.ok()) return n;
    RecordAudit(tx, n->id, "cli", "networks.update", n->slug,
                boost::json::serialize(boost::json::object{{"fields", fields}}));
    tx.commit();
    return n;
  };
  auto n = ctx.db->RunSync(update);
  if (!n.ok()) return n.error();
  std::cerr << "updated network '" << n->slug << "'\n";
  std::cout << "name:             " << n->name << "\n"
            << "default language: " << n->default_language << "\n"
            << "retention days:   " << n->retention_days << "\n"
            << "help text:        " << n->help_text << "\n"
            << "voice message:    " << n->voice_message << "\n";
  return 0;
}

}  // namespace

std::vector<Command> NetworkCommands() {
  return {
      {"network", "create",
       "--name N --slug S --number +44... [--number ...] [--country GB] [--language en] "
       "[--retention-days 30] [--if-not-exists]",
       "Creates a network with its sender numbers (national numbers are read in --country).\n"
       "  --if-not-exists   succeed without change when the slug is taken already\n",
       {"name", "slug", "number", "country", "language", "retention-days"},
       {"if-not-exists"},
       Needs::kDataKey,
       NetworkCreate},
      {"network", "set",
       "--network S [--name N] [--help-text TEXT] [--default-language ar] [--retention-days N] "
       "[--voice-message TEXT]",
       "Changes a network's settings; the others stay as they are. Checked as at creation.\n"
       "  --help-text TEXT        the answer to a member's HELP (up to 320 bytes; \"\" clears it)\n"
       "  --default-language L    the language of members who have none (en, ar, fa, fr, ...)\n"
       "  --retention-days N      how long alerts and messages are kept (1..3650)\n"
       "  --voice-message TEXT    what a caller who is not a member hears on the network's number\n"
       "                          (the hotline; up to 500 bytes; \"\" clears it)\n",
       {"network", "name", "help-text", "default-language", "retention-days", "voice-message"},
       {},
       Needs::kDataKey,
       NetworkSet},
  };
}

}  // namespace tocsin::cli
