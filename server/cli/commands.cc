#include "server/cli/commands.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "dispatch/store/key_check.h"
#include "server/cli/command.h"
#include "server/cli/operator_env.h"

namespace tocsin {
namespace {

using cli::Command;
using cli::Needs;
using cli::UsageError;

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> v;
    for (auto group : {cli::ServerCommands(), cli::NetworkCommands(), cli::TokenCommands(),
                       cli::MemberCommands(), cli::AuditCommands(), cli::AlertCommands()}) {
      v.insert(v.end(), group.begin(), group.end());
    }
    return v;
  }();
  return all;
}

std::string Words(const Command& c) { return c.name.empty() ? c.group : c.group + " " + c.name; }

std::string Synopsis(const Command& c) {
  return Words(c) + (c.synopsis.empty() ? "" : " " + c.synopsis);
}

// Every command, or those of `group` when given.
std::string Usage(const std::string& group = "") {
  std::string out = "usage: tocsind [--config FILE] <command> [options]\n";
  for (const auto& c : AllCommands()) {
    if (group.empty() || c.group == group) out += "  " + Synopsis(c) + "\n";
  }
  out +=
      "Without --config, .data/tocsin.toml is used when it exists (a quickstart directory);\n"
      "secrets come from the environment, else from .data/secrets.env.\n"
      "`tocsind <command> --help` explains one command.\n";
  return out;
}

std::string CommandHelp(const Command& c) {
  return "usage: tocsind [--config FILE] " + Synopsis(c) + "\n" + c.help;
}

bool IsHelp(const std::string& w) { return w == "--help" || w == "-h" || w == "help"; }

// The command named by the first words, and how many words named it.
const Command* Find(const std::vector<std::string>& words, std::size_t& used) {
  for (const auto& c : AllCommands()) {
    if (words[0] != c.group) continue;
    if (c.name.empty()) {
      used = 1;
      return &c;
    }
    if (words.size() > 1 && words[1] == c.name) {
      used = 2;
      return &c;
    }
  }
  return nullptr;
}

bool GroupExists(const std::string& group) {
  return std::any_of(AllCommands().begin(), AllCommands().end(),
                     [&](const Command& c) { return c.group == group; });
}

// An Error's field as the command's option it came from ("numbers[0]" -> "--number
// (numbers[0])", "retention_days" -> "--retention-days"), else the field itself.
std::string FieldLabel(const Command& c, const std::string& field) {
  auto base = field.substr(0, field.find_first_of("[."));
  std::replace(base.begin(), base.end(), '_', '-');
  auto declared = [&](const std::string& o) {
    return std::find(c.options.begin(), c.options.end(), o) != c.options.end() ||
           std::find(c.flags.begin(), c.flags.end(), o) != c.flags.end();
  };
  std::string option;
  if (declared(base)) {
    option = base;
  } else if (base.size() > 1 && base.back() == 's' && declared(base.substr(0, base.size() - 1))) {
    option = base.substr(0, base.size() - 1);
  }
  if (option.empty()) return field;
  return "--" + option + (field.find_first_of("[.") == std::string::npos ? "" : " (" + field + ")");
}

int Fail(const std::string& message) {
  std::cerr << "tocsind: " << message << "\n";
  return 1;
}

// Exit code 2 for an invalid value (named by its option), 1 for anything else.
int FailWith(const Command& c, const Error& e) {
  auto label = e.field.empty() ? "" : FieldLabel(c, e.field) + ": ";
  std::cerr << "tocsind: " << label << e.message << "\n";
  return e.code == ErrorCode::kInvalid ? 2 : 1;
}

int Run(const Command& c, const std::string& given_config, const cli::Args& args) {
  if (c.needs == Needs::kNothing) {
    auto r = c.run(cli::Context{}, args);
    return r.ok() ? r.value() : FailWith(c, r.error());
  }
  auto path = cli::ConfigPath(given_config);
  if (!path) {
    throw UsageError{"--config FILE is required (or run it where .data/tocsin.toml is, as after "
                     "deploy/quickstart.sh)"};
  }
  auto env = cli::EnvWithSecretsFile(ProcessEnv());
  if (!env.ok()) return Fail(env.error().message);
  auto config = LoadConfig(*path, env.value());
  if (!config.ok()) {
    return Fail((config.error().field.empty() ? "" : config.error().field + ": ") +
                config.error().message);
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  cli::Context ctx;
  ctx.config = &config.value();
  if (c.needs == Needs::kConfig) {
    auto r = c.run(ctx, args);
    return r.ok() ? r.value() : FailWith(c, r.error());
  }
  auto cipher = DataCipher::FromHex(config->security.data_key_hex);
  if (!cipher.ok()) return Fail(cipher.error().message);
  DbPool db(config->database.url, 1);
  ctx.db = &db;
  ctx.cipher = &cipher.value();
  if (c.needs == Needs::kDataKey) {
    // Everything below reads or writes sealed data: it must be under the database's own key.
    auto key_check = [&cipher](pqxx::connection& conn) { return CheckDataKey(conn, cipher.value()); };
    if (auto s = db.RunSync(key_check); !s.ok()) return Fail(s.error().message);
  }
  auto r = c.run(ctx, args);
  return r.ok() ? r.value() : FailWith(c, r.error());
}

int Dispatch(const std::string& config_path, const std::vector<std::string>& words) {
  if (words.empty()) {
    std::cerr << Usage();
    return 2;
  }
  if (IsHelp(words[0])) {
    std::cout << Usage();
    return 0;
  }
  std::size_t used = 0;
  const Command* command = Find(words, used);
  if (!command) {
    bool help = std::any_of(words.begin() + 1, words.end(), IsHelp);
    if (GroupExists(words[0]) && (words.size() == 1 || help)) {
      (help ? std::cout : std::cerr) << Usage(words[0]);
      return help ? 0 : 2;
    }
    auto named = words[0] + (words.size() > 1 && GroupExists(words[0]) ? " " + words[1] : "");
    std::cerr << "tocsind: unknown command '" << named << "'\n"
              << Usage(GroupExists(words[0]) ? words[0] : "");
    return 2;
  }
  std::vector<std::string> rest(words.begin() + static_cast<long>(used), words.end());
  if (std::any_of(rest.begin(), rest.end(), [](const std::string& w) { return w == "--help" || w == "-h"; })) {
    std::cout << CommandHelp(*command);
    return 0;
  }
  try {
    return Run(*command, config_path, cli::Args::Parse(rest, command->options, command->flags));
  } catch (const UsageError& e) {
    std::cerr << "tocsind: " << e.message << "\nusage: tocsind [--config FILE] "
              << Synopsis(*command) << "\n(`tocsind " << Words(*command)
              << " --help` says more)\n";
    return 2;
  }
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
    std::cerr << "tocsind: " << e.message << "\n" << Usage();
    return 2;
  } catch (const pqxx::broken_connection& e) {
    return Fail("cannot reach the database (database.url): " + std::string(e.what()));
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
}

}  // namespace tocsin
