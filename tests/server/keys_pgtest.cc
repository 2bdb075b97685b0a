// Issue 15, "the database alone opens nothing": what someone who can write the database (but
// has not the data key) can no longer do, and data from before the keys that keeps working.
#include <catch2/catch.hpp>

#include <fstream>

#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"
#include "tests/support/eventually.h"
#include "tests/support/legacy_crypto.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_sms.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kAuthToken = "test_auth_token_0123456789";
constexpr const char* kPhone = "+447700900123";

struct Fixture {
  TestDatabase db;
  TocsindProcess server{db, std::string("[twilio]\nauth_token = \"") + kAuthToken +
                                "\"\ndefault_segments_per_second = 100\n"};
  int sid = 0;

  DataCipher Cipher() const { return std::move(DataCipher::FromHex(server.data_key()).value()); }
  std::string NetworkId(const std::string& slug) const {
    return db.Scalar("SELECT id FROM networks WHERE slug = '" + slug + "'");
  }
  // A signed inbound SMS from `from` to `to`, as Twilio sends it.
  HttpResult Sms(const std::string& from, const std::string& to, const std::string& body) {
    return PostSignedSms(server, kAuthToken, {"SMkeys" + std::to_string(++sid), from, to, body});
  }
  std::int64_t Post(const HttpClient& c, const std::string& path, const std::string& json) {
    auto r = c.Post(path, json);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  std::string Answer(std::int64_t alert) {
    return db.Scalar("SELECT answer FROM responses WHERE alert_id = " + std::to_string(alert));
  }
};

std::string HexLiteral(const std::string& bytes) { return "'\\x" + ToHex(bytes) + "'::bytea"; }

}  // namespace

TEST_CASE("keys: a token row written without the data key authenticates nothing", "[pg][keys]") {
  Fixture f;
  f.server.Start();
  auto good = CreateNetworkWithToken(f.server, "demo", "admin");
  CHECK(f.server.Client(good).Get("/v1/networks/demo/members").status == 200);
  // What anyone could compute: the unkeyed hash of a token of their choosing.
  auto forged = NewToken();
  f.db.Scalar("INSERT INTO api_tokens (network_id, role, token_hash) VALUES (" + f.NetworkId("demo") +
              ", 'admin', " + HexLiteral(HashToken(forged)) + ")");
  CHECK(f.server.Client(forged).Get("/v1/networks/demo/members").status == 401);
  // Stored keyed: not the unkeyed hash of the real token.
  CHECK(f.db.Scalar("SELECT count(*) FROM api_tokens WHERE token_hash = " + HexLiteral(HashToken(good))) == "0");
  CHECK(f.db.Scalar("SELECT count(*) FROM api_tokens WHERE token_hash = " +
                    HexLiteral(f.Cipher().TokenHash(good))) == "1");
}

TEST_CASE("keys: one phone in two networks hashes differently and replies find it in each", "[pg][keys]") {
  Fixture f;
  f.server.Start();
  auto a = f.server.Client(CreateNetworkWithToken(f.server, "north", "coordinator", "+447700900001"));
  auto b = f.server.Client(CreateNetworkWithToken(f.server, "south", "coordinator", "+447700900002"));
  const std::string member = R"({"phone":")" + std::string(kPhone) + R"(","areas":["SE15"]})";
  auto in_a = f.Post(a, "/v1/networks/north/members", member);
  auto in_b = f.Post(b, "/v1/networks/south/members", member);
  auto hash_a = f.db.Scalar("SELECT encode(phone_hash, 'hex') FROM members WHERE id = " + std::to_string(in_a));
  auto hash_b = f.db.Scalar("SELECT encode(phone_hash, 'hex') FROM members WHERE id = " + std::to_string(in_b));
  CHECK(hash_a != hash_b);
  CHECK(hash_a == ToHex(f.Cipher().LookupHash(std::stoll(f.NetworkId("north")), kPhone)));

  const std::string raid = R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})";
  auto alert_a = f.Post(a, "/v1/networks/north/alerts", raid);
  auto alert_b = f.Post(b, "/v1/networks/south/alerts", raid);
  CHECK(f.Sms(kPhone, "+447700900001", "1").status == 200);
  CHECK(f.Sms(kPhone, "+447700900002", "2").status == 200);
  CHECK(f.Answer(alert_a) == "going");
  CHECK(f.Answer(alert_b) == "cannot");
  // A duplicate within one network is still refused.
  CHECK(a.Post("/v1/networks/north/members", member).status == 409);
}

TEST_CASE("keys: tokens and phone hashes from before keyed lookups keep working, upgraded once",
          "[pg][keys][migrate]") {
  Fixture f;
  f.server.Start();
  auto c = f.server.Client(CreateNetworkWithToken(f.server, "demo", "coordinator", "+447700900001"));
  CHECK(f.server.Stop() == 0);
  // As the release before left them: an unkeyed token hash, one lookup hash for all networks.
  auto old_token = NewToken();
  auto network = f.NetworkId("demo");
  f.db.Scalar("INSERT INTO api_tokens (network_id, role, token_hash) VALUES (" + network + ", 'coordinator', " +
              HexLiteral(HashToken(old_token)) + ")");
  f.db.Scalar("INSERT INTO members (network_id, phone_hash, phone_enc, language, areas) VALUES (" + network +
              ", " + HexLiteral(LegacyLookupHash(f.server.data_key(), kPhone)) + ", " +
              HexLiteral(LegacySeal(f.server.data_key(), kPhone)) + ", 'en', '{SE15}')");
  f.db.Scalar("DELETE FROM schema_migrations WHERE name = 'keyed_lookups'");

  auto migrate = f.server.Cli({"migrate"});
  INFO(migrate.err);
  REQUIRE(migrate.exit_code == 0);
  CHECK(migrate.err.find("applied migration") != std::string::npos);
  f.server.Start();
  auto old = f.server.Client(old_token);
  CHECK(old.Get("/v1/networks/demo/members").status == 200);
  CHECK(c.Get("/v1/networks/demo/members").status == 200);  // made after the change: keyed already
  CHECK(f.db.Scalar("SELECT count(*) FROM api_tokens WHERE token_hash = " +
                    HexLiteral(f.Cipher().TokenHash(old_token))) == "1");
  CHECK(f.db.Scalar("SELECT count(*) FROM members WHERE phone_hash = " +
                    HexLiteral(f.Cipher().LookupHash(std::stoll(network), kPhone))) == "1");
  auto alert = f.Post(old, "/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  CHECK(f.Sms(kPhone, "+447700900001", "1").status == 200);
  CHECK(f.Answer(alert) == "going");

  // Once only: an unkeyed row written after the upgrade never becomes valid.
  CHECK(f.server.Stop() == 0);
  auto later = NewToken();
  f.db.Scalar("INSERT INTO api_tokens (network_id, role, token_hash) VALUES (" + network + ", 'admin', " +
              HexLiteral(HashToken(later)) + ")");
  CHECK(f.server.Cli({"migrate"}).exit_code == 0);
  f.server.Start();
  CHECK(f.server.Client(later).Get("/v1/networks/demo/members").status == 401);
}

TEST_CASE("keys: a sealed value copied to another place opens nowhere", "[pg][keys]") {
  Fixture f;
  f.server.Start();
  auto north = f.server.Client(CreateNetworkWithToken(f.server, "north", "coordinator", "+447700900001"));
  auto south = f.server.Client(CreateNetworkWithToken(f.server, "south", "coordinator", "+447700900002"));
  auto amira = f.Post(north, "/v1/networks/north/members", R"({"phone":"+447700900123","name":"Amira","areas":["SE15"]})");
  auto bo = f.Post(north, "/v1/networks/north/members", R"({"phone":"+447700900124","name":"Bo","areas":["SE15"]})");
  auto cy = f.Post(south, "/v1/networks/south/members", R"({"phone":"+447700900125","name":"Cy","areas":["SE15"]})");
  auto copy = [&](const std::string& table, const std::string& columns, std::int64_t from, std::int64_t to) {
    for (std::size_t at = 0, next; at != std::string::npos; at = next == std::string::npos ? next : next + 1) {
      next = columns.find(',', at);
      auto column = columns.substr(at, next == std::string::npos ? std::string::npos : next - at);
      f.db.Scalar("UPDATE " + table + " SET " + column + " = (SELECT " + column + " FROM " + table +
                  " WHERE id = " + std::to_string(from) + ") WHERE id = " + std::to_string(to));
    }
  };
  copy("members", "phone_enc,name_enc", amira, bo);   // another member of the network
  copy("members", "phone_enc,name_enc", amira, cy);   // a member of another network
  for (auto [c, path] : {std::pair{north, "/v1/networks/north/members/" + std::to_string(bo)},
                         std::pair{south, "/v1/networks/south/members/" + std::to_string(cy)}}) {
    auto r = c.Get(path);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("+447700900123") == std::string::npos);
    CHECK(r.body.find("Amira") == std::string::npos);
  }
  CHECK(north.Get("/v1/networks/north/members/" + std::to_string(amira)).body.find("Amira") != std::string::npos);

  // An alert to Bo is never sent to Amira's number: it cannot be opened, so it is not sent.
  auto alert = f.Post(north, "/v1/networks/north/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  Eventually([&] {
    return f.db.Scalar("SELECT state || ':' || coalesce(error_message, '') FROM deliveries WHERE member_id = " +
                       std::to_string(bo)) == "cancelled:cannot decrypt";
  }, "Bo's delivery to be refused");
  // Nor is an alert's location readable on another alert.
  auto other = f.Post(north, "/v1/networks/north/alerts", R"({"kind":"raid","areas":["SE22"],"location":"Elsewhere"})");
  copy("alerts", "location_enc", alert, other);
  auto shown = north.Get("/v1/networks/north/alerts/" + std::to_string(other));
  CHECK(shown.body.find("Rye Lane") == std::string::npos);
}

TEST_CASE("keys: values sealed before binding still open, and migrate binds them", "[pg][keys][migrate]") {
  Fixture f;
  f.server.Start();
  auto c = f.server.Client(CreateNetworkWithToken(f.server, "demo", "coordinator", "+447700900001"));
  CHECK(f.server.Stop() == 0);
  auto network = f.NetworkId("demo");
  f.db.Scalar("INSERT INTO members (network_id, phone_hash, phone_enc, name_enc, language) VALUES (" + network +
              ", " + HexLiteral(f.Cipher().LookupHash(std::stoll(network), kPhone)) + ", " +
              HexLiteral(LegacySeal(f.server.data_key(), kPhone)) + ", " +
              HexLiteral(LegacySeal(f.server.data_key(), "Amira")) + ", 'en')");
  auto id = f.db.Scalar("SELECT id FROM members");
  f.server.Start();
  auto before = c.Get("/v1/networks/demo/members/" + id);
  CHECK(before.body.find(kPhone) != std::string::npos);
  CHECK(before.body.find("Amira") != std::string::npos);
  CHECK(f.server.Stop() == 0);

  f.db.Scalar("DELETE FROM schema_migrations WHERE name = 'bound_values'");
  auto migrate = f.server.Cli({"migrate"});
  INFO(migrate.err);
  REQUIRE(migrate.exit_code == 0);
  auto key_id = std::to_string(f.Cipher().key_id());
  CHECK(f.db.Scalar("SELECT get_byte(phone_enc, 0) || ',' || get_byte(name_enc, 0) FROM members") == key_id + "," + key_id);
  f.server.Start();
  auto after = c.Get("/v1/networks/demo/members/" + id);
  CHECK(after.body.find(kPhone) != std::string::npos);
  CHECK(after.body.find("Amira") != std::string::npos);
}

TEST_CASE("keys: rekey moves every sealed value and hash to a new key", "[pg][keys][rekey]") {
  Fixture f;
  f.server.Start();
  auto token = CreateNetworkWithToken(f.server, "demo", "coordinator", "+447700900001");
  auto c = f.server.Client(token);
  auto member = f.Post(c, "/v1/networks/demo/members", R"({"phone":")" + std::string(kPhone) + R"(","name":"Amira","areas":["SE15"]})");
  auto alert = f.Post(c, "/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane","details":"3 vans"})");
  CHECK(f.Sms(kPhone, "+447700900001", "they have gone towards the station").status == 200);
  // An organisation's email contact point and an email to it (it fails: no [email] here, but its
  // body stays sealed).
  auto org = f.Post(c, "/v1/networks/demo/organisations", R"({"name":"Legal","slug":"legal"})");
  const auto emails = "/v1/networks/demo/organisations/" + std::to_string(org) + "/emails";
  f.Post(c, emails, R"({"address":"cases@legal.example"})");
  f.Post(c, "/v1/networks/demo/alerts", R"({"kind":"detention","areas":["E8"],"location":"Colnbrook"})");
  Eventually([&] { return f.db.Scalar("SELECT count(*) FROM deliveries WHERE state IN ('queued', 'sending')") == "0"; },
             "the alerts to be sent");
  REQUIRE(f.db.Scalar("SELECT count(*) FROM deliveries WHERE channel = 'email'") == "1");
  // A number that is no member's stops: its keyed hash on the stop list must follow the key.
  CHECK(f.Sms("+447700900555", "+447700900001", "STOP").status == 200);
  REQUIRE(f.db.Scalar("SELECT count(*) FROM stopped_numbers") == "1");
  CHECK(f.server.Stop() == 0);

  const auto old_key = f.server.data_key();
  const auto new_key = TestDataKey();
  const auto key_file = f.server.config_path() + ".newkey";
  { std::ofstream(key_file) << new_key << "\n"; }
  auto rekey = f.server.Cli({"rekey", "--new-key-file", key_file});
  INFO(rekey.err);
  REQUIRE(rekey.exit_code == 0);
  CHECK(rekey.err.find(new_key) == std::string::npos);
  CHECK(f.server.Cli({"rekey", "--new-key-file", key_file}, {{"TOCSIN_DATA_KEY", new_key}}).exit_code == 0);  // no-op

  CHECK(f.server.Cli({"serve"}).exit_code == 1);  // the old key opens nothing now
  f.server.set_data_key(new_key);
  f.server.Start();
  auto m = c.Get("/v1/networks/demo/members/" + std::to_string(member));  // the token still works
  INFO(m.body);
  CHECK(m.body.find(kPhone) != std::string::npos);
  CHECK(m.body.find("Amira") != std::string::npos);
  auto a = c.Get("/v1/networks/demo/alerts/" + std::to_string(alert));
  CHECK(a.body.find("Rye Lane") != std::string::npos);
  CHECK(a.body.find("3 vans") != std::string::npos);
  auto texts = c.Get("/v1/networks/demo/alerts/" + std::to_string(alert) + "/responses");
  CHECK(texts.body.find("towards the station") != std::string::npos);
  CHECK(c.Get(emails).body.find("cases@legal.example") != std::string::npos);
  {
    auto row = f.db.Scalar("SELECT encode(body_enc, 'hex') || ' ' || message_id FROM deliveries WHERE channel = 'email'");
    auto space = row.find(' ');
    auto body = f.Cipher().Open(FromHex(row.substr(0, space)).value_or(""),
                                places::EmailBody(std::stoll(f.NetworkId("demo")), row.substr(space + 1)));
    REQUIRE(body);
    CHECK(body->find("Colnbrook") != std::string::npos);
  }
  CHECK(f.Sms(kPhone, "+447700900001", "1").status == 200);  // found by its re-keyed hash
  CHECK(f.db.Scalar("SELECT count(*) FROM responses WHERE answer = 'going'") == "1");
  auto stopped = c.Post("/v1/networks/demo/members", R"({"phone":"+447700900555"})");  // found by its re-keyed hash
  CHECK(stopped.body.find("\"opted_out\"") != std::string::npos);
  // Nothing in the database is sealed under the old key any more.
  auto old_id = std::to_string(static_cast<int>(static_cast<std::uint8_t>(DataCipher::FromHex(old_key)->key_id())));
  auto new_id = std::to_string(f.Cipher().key_id());
  if (old_id != new_id) {
    CHECK(f.db.Scalar("SELECT count(*) FROM members WHERE get_byte(phone_enc, 0) = " + old_id) == "0");
    CHECK(f.db.Scalar("SELECT count(*) FROM alert_messages WHERE get_byte(body_enc, 0) = " + old_id) == "0");
    CHECK(f.db.Scalar("SELECT count(*) FROM organisation_emails WHERE get_byte(address_enc, 0) = " + old_id) == "0");
    CHECK(f.db.Scalar("SELECT count(*) FROM stopped_numbers WHERE get_byte(phone_enc, 0) = " + old_id) == "0");
  }
}
