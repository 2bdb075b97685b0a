// The operator CLI: network create and set, tokens, members import and export, the audit log,
// keygen, --help, and a quickstart directory's .data/ (the alert commands: cli_alerts_pgtest.cc).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("cli: create a network, a token and import members without curl", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db);

  auto keygen = server.Cli({"keygen"});
  CHECK(keygen.exit_code == 0);
  CHECK(keygen.out.size() == 65);  // 64 hex + newline

  auto net = server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001"});
  INFO(net.err);
  REQUIRE(net.exit_code == 0);
  CHECK(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001"}).exit_code == 1);
  CHECK(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001",
                    "--if-not-exists"}).exit_code == 0);
  auto bad = server.Cli({"network", "create", "--name", "X", "--slug", "xx", "--number", "123"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--number (numbers[0])") != std::string::npos);
  CHECK(server.Cli({"network", "create", "--slug", "y"}).exit_code == 2);

  auto token = server.Cli({"token", "create", "--network", "demo", "--role", "coordinator"});
  REQUIRE(token.exit_code == 0);
  auto t = token.out.substr(0, token.out.find('\n'));
  CHECK(t.rfind("tcs_", 0) == 0);

  auto path = server.config_path() + ".members.csv";
  std::ofstream(path) << "phone,name,language,areas,roles,channels\n07700900111,A,en,SE15,responder,sms\nbad,B,en,,,\n";
  auto imp = server.Cli({"members", "import", "--network", "demo", path});
  CHECK(imp.exit_code == 3);
  CHECK(imp.err.find("created 1") != std::string::npos);
  CHECK(imp.err.find("line 3") != std::string::npos);
  CHECK(imp.err.find("07700900111") == std::string::npos);

  server.Start();
  auto list = server.Client(t).Get("/v1/networks/demo/members");
  REQUIRE(list.status == 200);
  CHECK(list.Json().as_object().at("members").as_array().size() == 1);
  CHECK(server.Cli({"frobnicate"}).exit_code == 2);
}

namespace {

namespace fs = std::filesystem;

// A fresh directory inside the server's own (removed with it).
std::string MakeDir(const TocsindProcess& server, const std::string& name) {
  auto dir = fs::path(server.config_path()).parent_path() / name;
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The line of `text` holding `needle` ("" when none).
std::string LineWith(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  if (at == std::string::npos) return "";
  auto begin = text.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

// The members of `slug` as the API shows them, without ids and times, by phone.
std::map<std::string, std::string> MembersOf(const TocsindProcess& server, const std::string& token,
                                             const std::string& slug) {
  auto r = server.Client(token).Get("/v1/networks/" + slug + "/members?limit=500");
  REQUIRE(r.status == 200);
  std::map<std::string, std::string> out;
  auto body = r.Json();
  for (const auto& m : body.as_object().at("members").as_array()) {
    auto o = m.as_object();
    auto phone = std::string(o.at("phone").as_string());
    for (const char* k : {"id", "created_at", "updated_at", "consent_at", "backup"}) o.erase(k);
    out[phone] = boost::json::serialize(o);
  }
  return out;
}

}  // namespace

TEST_CASE("cli: every command's --help works with no config and no data key", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db, "", /*migrate=*/false);
  auto empty = MakeDir(server, "empty");
  auto all = server.CliIn(empty, {"--help"});
  CHECK(all.exit_code == 0);
  const std::vector<std::vector<std::string>> commands = {
      {"keygen"}, {"migrate"}, {"serve"}, {"network", "create"}, {"network", "set"},
      {"token", "create"}, {"token", "list"}, {"token", "revoke"}, {"members", "import"},
      {"members", "export"}, {"audit", "show"}, {"alert", "raise"}, {"alert", "list"},
      {"alert", "show"}, {"alert", "resolve"}, {"alert", "cancel"}};
  for (auto words : commands) {
    auto name = words[0] + (words.size() > 1 ? " " + words[1] : "");
    INFO(name);
    CHECK(all.out.find("  " + name) != std::string::npos);
    words.push_back("--help");
    auto r = server.CliIn(empty, words);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("usage: tocsind [--config FILE] " + name) == 0);
    CHECK(r.err.empty());
  }
  CHECK(server.CliIn(empty, {"alert", "raise", "--network", "x", "--help"}).exit_code == 0);
  CHECK(server.CliIn(empty, {"alert", "--help"}).out.find("alert resolve") != std::string::npos);
  auto unknown = server.CliIn(empty, {"alert", "frob"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command 'alert frob'") != std::string::npos);
  CHECK(server.CliIn(empty, {"frobnicate"}).exit_code == 2);
  auto no_config = server.CliIn(empty, {"token", "list", "--network", "x"});
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.err.find("--config") != std::string::npos);
}

TEST_CASE("cli: a quickstart directory's .data/tocsin.toml and .data/secrets.env are used", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db);
  auto dir = MakeDir(server, "quickstart");
  fs::create_directories(dir + "/.data");
  fs::copy_file(server.config_path(), dir + "/.data/tocsin.toml");
  auto create = std::vector<std::string>{"network", "create", "--name", "Demo", "--slug", "demo",
                                         "--number", "+447700900001"};

  // The config alone: the data key is missing and the message says where it comes from.
  auto no_key = server.CliIn(dir, create);
  CHECK(no_key.exit_code == 1);
  CHECK(no_key.err.find("security.data_key") != std::string::npos);

  std::ofstream(dir + "/.data/secrets.env")
      << "# written by deploy/quickstart.sh\nTOCSIN_DATA_KEY=" << server.data_key()
      << "\nTOCSIN_ADMIN_TOKEN=" << TocsindProcess::kAdminToken << "\nTWILIO_AUTH_TOKEN=sandbox_x\n";
  auto created = server.CliIn(dir, create);
  INFO(created.err);
  CHECK(created.exit_code == 0);
  CHECK(db.Scalar("SELECT slug FROM networks") == "demo");
  auto token = server.CliIn(dir, {"token", "create", "--network", "demo", "--role", "coordinator"});
  CHECK(token.exit_code == 0);
  CHECK(token.out.rfind("tcs_", 0) == 0);

  // A wrong key in the file is refused (the database is sealed under another).
  std::ofstream(dir + "/.data/secrets.env") << "TOCSIN_DATA_KEY=" << std::string(64, 'a') << "\n";
  auto wrong = server.CliIn(dir, {"token", "list", "--network", "demo"});
  CHECK(wrong.exit_code == 1);
  std::ofstream(dir + "/.data/secrets.env") << "TOCSIN_DATA_KEY\n";
  auto malformed = server.CliIn(dir, {"token", "list", "--network", "demo"});
  CHECK(malformed.exit_code == 1);
  CHECK(malformed.err.find(".data/secrets.env line 1") != std::string::npos);
}

TEST_CASE("cli: token list and revoke, audit show", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db);
  REQUIRE(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "+447700900001"}).exit_code == 0);
  auto viewer = server.Cli({"token", "create", "--network", "demo", "--role", "viewer", "--label", "wall screen"});
  auto admin = server.Cli({"token", "create", "--network", "demo", "--role", "admin", "--label", "Sam"});
  REQUIRE(viewer.exit_code == 0);
  REQUIRE(admin.exit_code == 0);

  auto revoke = server.Cli({"token", "revoke", "--network", "demo", "1"});
  INFO(revoke.err);
  CHECK(revoke.exit_code == 0);
  CHECK(server.Cli({"token", "revoke", "--network", "demo", "1"}).exit_code == 1);  // already
  CHECK(server.Cli({"token", "revoke", "--network", "demo", "one"}).exit_code == 2);

  auto list = server.Cli({"token", "list", "--network", "demo"});
  INFO(list.out);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("ID  ROLE    LABEL        CREATED") == 0);
  CHECK(list.out.find("LAST USED") != std::string::npos);
  CHECK(list.out.find("tcs_") == std::string::npos);
  CHECK(std::count(list.out.begin(), list.out.end(), '\n') == 3);
  auto viewer_line = LineWith(list.out, "viewer  wall screen");
  REQUIRE_FALSE(viewer_line.empty());
  CHECK(viewer_line.back() == 'Z');  // revoked at
  auto admin_line = LineWith(list.out, "admin   Sam");
  REQUIRE_FALSE(admin_line.empty());
  CHECK(admin_line.back() == '-');  // not revoked

  auto audit = server.Cli({"audit", "show", "--network", "demo"});
  REQUIRE(audit.exit_code == 0);
  CHECK(audit.out.find("tokens.revoke") < audit.out.find("tokens.create"));  // newest first
  auto revoked = LineWith(audit.out, "tokens.revoke");
  CHECK(revoked.find(" demo ") != std::string::npos);
  CHECK(revoked.find(" cli ") != std::string::npos);
  CHECK(revoked.find("token:1") != std::string::npos);
  CHECK(server.Cli({"audit", "show", "--network", "demo", "--limit", "1"}).out.find("tokens.create") ==
        std::string::npos);
  auto later = server.Cli({"audit", "show", "--since", "2999-01-01T00:00:00Z"});
  CHECK(later.exit_code == 0);
  CHECK(std::count(later.out.begin(), later.out.end(), '\n') == 1);  // the header only
  auto everything = server.Cli({"audit", "show"});
  CHECK(everything.out.find("networks.create") != std::string::npos);
  auto bad = server.Cli({"audit", "show", "--since", "yesterday"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--since") != std::string::npos);
  CHECK(server.Cli({"audit", "show", "--limit", "0"}).err.find("--limit") != std::string::npos);
  CHECK(server.Cli({"audit", "show", "--network", "nowhere"}).exit_code == 1);
}

TEST_CASE("cli: network set changes settings through the creation rules", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  CreateNetworkWithToken(server, "demo");
  auto set = server.Cli({"network", "set", "--network", "demo", "--help-text", "Call Sam on 0207 946 0000",
                         "--default-language", "ar", "--retention-days", "14"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  auto n = server.Admin().Get("/v1/networks/demo").Json().as_object();
  CHECK(n.at("help_text") == "Call Sam on 0207 946 0000");
  CHECK(n.at("default_language") == "ar");
  CHECK(n.at("retention_days") == 14);
  CHECK(n.at("name") == "Net demo");
  CHECK(db.Scalar("SELECT detail->>'fields' FROM audit_log WHERE action = 'networks.update'") ==
        R"(["help_text", "default_language", "retention_days"])");

  struct Case {
    std::vector<std::string> args;
    const char* option;
  };
  for (const auto& c : {Case{{"--default-language", "Arabic"}, "--default-language"},
                        Case{{"--retention-days", "0"}, "--retention-days"},
                        Case{{"--retention-days", "two"}, "--retention-days"},
                        Case{{"--name", ""}, "--name"},
                        Case{{"--help-text", std::string(400, 'x')}, "--help-text"},
                        Case{{}, "nothing to set"}}) {
    std::vector<std::string> args = {"network", "set", "--network", "demo"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = server.Cli(args);
    INFO(c.option << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.option) != std::string::npos);
  }
  CHECK(server.Admin().Get("/v1/networks/demo").Json().as_object() == n);
  CHECK(server.Cli({"network", "set", "--network", "nowhere", "--name", "X"}).exit_code == 1);
}

TEST_CASE("cli: members export imports back into another network", "[pg][cli][members]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto a = CreateNetworkWithToken(server, "net-a", "coordinator", "+447700900001");
  auto b = CreateNetworkWithToken(server, "net-b", "coordinator", "+447700900002");
  auto csv = server.config_path() + ".in.csv";
  std::ofstream(csv) << "phone,name,language,areas,roles,channels\n"
                     << "07700900111,\"Amira \"\"Mimi\"\", Jr\",ar,SE15;SE22,responder;verifier,sms\n"
                     << "07700900112,,fa,E8,caller,sms;voice\n"
                     << "07700900113,\xd8\xa3\xd9\x85\xd9\x8a\xd8\xb1,fr,,coordinator,sms\n"
                     << "07700900114,Gone,en,SE15,responder,sms\n";
  REQUIRE(server.Cli({"members", "import", "--network", "net-a", csv}).exit_code == 0);
  db.Scalar("UPDATE members SET status = 'opted_out' WHERE id = 4");  // "Gone" texted STOP

  auto out = server.config_path() + ".out.csv";
  auto exported = server.Cli({"members", "export", "--network", "net-a", "--out", out});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.empty());
  CHECK(exported.err.find("exported 3 members (1 who opted out") != std::string::npos);
  CHECK(exported.err.find("0770") == std::string::npos);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto text = ReadAll(out);
  CHECK(text.rfind("phone,name,language,areas,roles,channels\r\n", 0) == 0);
  CHECK(text.find("+447700900114") == std::string::npos);
  auto to_stdout = server.Cli({"members", "export", "--network", "net-a"});
  CHECK(to_stdout.out == text);

  auto imported = server.Cli({"members", "import", "--network", "net-b", out});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.err.find("created 3, updated 0, rejected 0") != std::string::npos);
  auto in_a = MembersOf(server, a, "net-a");
  in_a.erase("+447700900114");
  auto in_b = MembersOf(server, b, "net-b");
  CHECK(in_b == in_a);
  CHECK(in_b.at("+447700900111").find(R"("name":"Amira \"Mimi\", Jr")") != std::string::npos);

  CHECK(db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'members.export' AND actor = 'cli'") == "2");
  CHECK(db.Scalar("SELECT detail::text FROM audit_log WHERE action = 'members.export' LIMIT 1") ==
        R"({"exported": 3, "opted_out": 1})");
  CHECK(server.Cli({"members", "export", "--network", "nowhere"}).exit_code == 1);
  CHECK(server.Cli({"members", "export", "--network", "net-a", "--out", "/nonexistent/dir/x.csv"}).exit_code != 0);
}
