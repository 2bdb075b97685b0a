#include "server/cli/commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "dispatch/store/audit_log.h"
#include "dispatch/store/member_import.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/store/token_registry.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/store/key_check.h"
#include "dispatch/store/migrator.h"
#include "dispatch/util/crypto.h"
#include "server/app.h"
#include "server/config.h"

namespace tocsin {
namespace {

constexpr const char* kUsage =
    "usage: tocsind [--config FILE] <command>\n"
    "  keygen                      print a fresh data key (for TOCSIN_DATA_KEY)\n"
    "  migrate                     apply missing database migrations\n"
    "  serve                       run the server\n"
    "  network create --name N --slug S --number +44... [--number ...] [--country GB]\n"
    "                 [--language en] [--retention-days 30] [--if-not-exists]\n"
    "  token create --network S --role admin|coordinator|viewer|integration [--label L]\n"
    "  members import --network S FILE.csv\n";

struct UsageError {
  std::string message;
};

// Options after the command words: --key value (repeatable), --flag, and positionals.
struct Args {
  std::multimap<std::string, std::string> options;
  std::vector<std::string> positional;

  std::string Require(const std::string& key) const {
    auto it = options.find(key);
    if (it == options.end() || it->second.empty()) throw UsageError{"--" + key + " is required"};
    return it->second;
  }
  std::string Get(const std::string& key, const std::string& fallback) const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
  bool Flag(const std::string& key) const { return options.count(key) > 0; }
};

Args ParseArgs(const std::vector<std::string>& words, const std::vector<std::string>& flags) {
  Args a;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w.rfind("--", 0) != 0) {
      a.positional.push_back(w);
      continue;
    }
    auto key = w.substr(2);
    if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
      a.options.emplace(key, "1");
    } else if (i + 1 < words.size()) {
      a.options.emplace(key, words[++i]);
    } else {
      throw UsageError{w + " needs a value"};
    }
  }
  return a;
}

int Fail(const std::string& message) {
  std::cerr << "tocsind: " << message << "\n";
  return 1;
}

int FailWith(const Error& e) {
  return Fail((e.field.empty() ? "" : e.field + ": ") + e.message);
}

std::optional<Network> LoadNetwork(DbPool& db, const std::string& slug) {
  auto find = [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return FindNetworkBySlug(tx, slug);
  };
  return db.RunSync(find);
}

int Migrate(DbPool& db) {
  auto apply = [](pqxx::connection& c) { return ApplyMigrations(c); };
  auto done = db.RunSync(apply);
  if (done.empty()) {
    std::cerr << "database schema is up to date\n";
  } else {
    for (int v : done) std::cerr << "applied migration " << v << "\n";
  }
  return 0;
}

int NetworkCreate(DbPool& db, const Args& a) {
  NetworkInput in;
  in.name = a.Require("name");
  in.slug = a.Require("slug");
  auto [begin, end] = a.options.equal_range("number");
  for (auto it = begin; it != end; ++it) in.numbers.push_back({it->second, std::nullopt});
  in.country = a.Get("country", "GB");
  in.default_language = a.Get("language", "en");
  try {
    in.retention_days = std::stoi(a.Get("retention-days", "30"));
  } catch (const std::exception&) {
    throw UsageError{"--retention-days must be a number"};
  }
  auto normal = NormaliseNetworkInput(std::move(in));
  if (!normal.ok()) return FailWith(normal.error());
  if (a.Flag("if-not-exists") && LoadNetwork(db, normal->slug)) {
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
  auto n = db.RunSync(create);
  if (!n.ok()) return FailWith(n.error());
  std::cerr << "created network '" << n->slug << "'\n";
  return 0;
}

int TokenCreate(DbPool& db, const Args& a) {
  auto slug = a.Require("network");
  auto role = a.Require("role");
  auto label = a.Get("label", "");
  auto network = LoadNetwork(db, slug);
  if (!network) return Fail("no network '" + slug + "'");
  auto create = [&](pqxx::connection& c) -> Result<NewTokenResult> {
    pqxx::work tx(c);
    auto t = CreateToken(tx, network->id, role, label);
    if (!t.ok()) return t;
    RecordAudit(tx, network->id, "cli", "tokens.create", "token:" + std::to_string(t->id));
    tx.commit();
    return t;
  };
  auto t = db.RunSync(create);
  if (!t.ok()) return FailWith(t.error());
  std::cout << t->token << "\n";
  return 0;
}

int MembersImport(DbPool& db, const DataCipher& cipher, const Args& a) {
  auto slug = a.Require("network");
  if (a.positional.size() != 1) throw UsageError{"members import needs one FILE.csv"};
  std::ifstream file(a.positional[0], std::ios::binary);
  if (!file) return Fail("cannot read " + a.positional[0]);
  std::stringstream text;
  text << file.rdbuf();
  auto network = LoadNetwork(db, slug);
  if (!network) return Fail("no network '" + slug + "'");
  MemberRegistry members(cipher);
  auto import = [&](pqxx::connection& c) {
    return ImportMembersCsv(c, members, *network, text.str(), "cli");
  };
  auto r = db.RunSync(import);
  if (!r.ok()) return FailWith(r.error());
  std::cerr << "created " << r->created << ", updated " << r->updated << ", rejected "
            << r->errors.size() << "\n";
  for (const auto& e : r->errors) std::cerr << "  line " << e.line << ": " << e.message << "\n";
  return r->errors.empty() ? 0 : 3;
}

int Dispatch(const std::string& config_path, const std::vector<std::string>& words) {
  auto command = words.empty() ? std::string() : words[0];
  if (command.empty() || command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return command.empty() ? 2 : 0;
  }
  if (command == "keygen") {
    std::cout << GenerateDataKeyHex() << "\n";
    return 0;
  }
  if (config_path.empty()) throw UsageError{"--config FILE is required"};
  auto config = LoadConfig(config_path, ProcessEnv());
  if (!config.ok()) return FailWith(config.error());
  spdlog::set_level(spdlog::level::from_str(config->log_level));

  if (command == "serve") return Serve(config.value());
  auto cipher = DataCipher::FromHex(config->security.data_key_hex);
  if (!cipher.ok()) return FailWith(cipher.error());
  DbPool db(config->database.url, 1);
  std::vector<std::string> rest(words.begin() + 1, words.end());
  std::string sub = rest.empty() ? "" : rest[0];
  std::vector<std::string> opts(rest.begin() + (rest.empty() ? 0 : 1), rest.end());
  if (command == "migrate") return Migrate(db);
  // Everything below writes sealed data: it must be under the database's own key.
  auto key_check = [&cipher](pqxx::connection& c) { return CheckDataKey(c, cipher.value()); };
  if (auto s = db.RunSync(key_check); !s.ok()) return FailWith(s.error());
  if (command == "network" && sub == "create") return NetworkCreate(db, ParseArgs(opts, {"if-not-exists"}));
  if (command == "token" && sub == "create") return TokenCreate(db, ParseArgs(opts, {}));
  if (command == "members" && sub == "import") return MembersImport(db, cipher.value(), ParseArgs(opts, {}));
  throw UsageError{"unknown command '" + command + (sub.empty() ? "" : " " + sub) + "'"};
}

}  // namespace

int RunCli(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("tocsind"));
  InitCrypto();
  std::string config_path;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    if (w == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (w.rfind("--config=", 0) == 0) {
      config_path = w.substr(9);
    } else {
      words.push_back(w);
    }
  }
  try {
    return Dispatch(config_path, words);
  } catch (const UsageError& e) {
    std::cerr << "tocsind: " << e.message << "\n" << kUsage;
    return 2;
  } catch (const pqxx::broken_connection& e) {
    return Fail("cannot reach the database (database.url): " + std::string(e.what()));
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
}

}  // namespace tocsin
