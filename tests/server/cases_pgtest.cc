// Cases (issue 13) through the real binary and real PostgreSQL: create, read, list by status,
// change; validation naming the field and changing nothing; the name, phone, Home Office
// reference and notes sealed at rest bound to the case; viewers see the pseudonym only;
// contacts (organisation, member, campaign tree) and their validation; audit with ids only.
#include <catch2/catch.hpp>

#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kCases = "/v1/networks/demo/cases";
constexpr const char* kCase =
    R"({"name":"Amina Hassan","pseudonym":"A.","language":"ar","areas":["M8"],"phone":"07700 900777",)"
    R"("home_office_ref":"H1234567","notes":"reports weekly at Dallas Court","public":false,)"
    R"("consent":{"mp":"2026-10-02","legal":"2026-09-14"}})";

std::string CasePath(std::int64_t id) { return std::string(kCases) + "/" + std::to_string(id); }

boost::json::object Obj(const HttpResult& r) { return r.Json().as_object(); }

}  // namespace

TEST_CASE("Cases: created, read, listed by status, changed; sealed at rest; viewers see the pseudonym",
          "[pg][cases]") {
  WebhookNetwork n;
  auto post = [&](const std::string& body) { return n.c.Post(kCases, body); };
  CHECK(post(R"({"pseudonym":"A."})").ErrorField() == "name");
  CHECK(post(R"({"name":"A","phone":"not a phone"})").ErrorField() == "phone");
  CHECK(post(R"({"name":"A","language":"Arabic!"})").ErrorField() == "language");
  CHECK(post(R"({"name":"A","consent":{"mp":"2026-02-30"}})").ErrorField() == "consent.mp");
  CHECK(post(R"({"name":"A","consent":{"legal":"soon"}})").ErrorField() == "consent.legal");
  CHECK(post(R"({"name":"A","consent":{"gp":"2026-01-01"}})").ErrorField() == "consent.gp");
  CHECK(post(R"({"name":"A","status":"pending"})").ErrorField() == "status");
  CHECK(post(R"({"name":"A","areas":["M8;DROP"]})").ErrorField() == "areas");
  CHECK(post(R"({"name":"A","flight":"x"})").status == 422);
  CHECK(n.db.Scalar("SELECT count(*) FROM cases") == "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'cases.%'") == "0");

  auto created = post(kCase);
  INFO(created.body);
  REQUIRE(created.status == 201);
  auto c = Obj(created);
  const auto id = c.at("id").as_int64();
  CHECK(c.at("pseudonym").as_string() == "A.");
  CHECK(c.at("name").as_string() == "Amina Hassan");
  CHECK(c.at("phone").as_string() == "+447700900777");
  CHECK(c.at("home_office_ref").as_string() == "H1234567");
  CHECK(c.at("status").as_string() == "open");
  CHECK(c.at("language").as_string() == "ar");
  CHECK(c.at("consent").as_object().at("mp").as_string() == "2026-10-02");
  CHECK(c.at("consent").as_object().at("legal").as_string() == "2026-09-14");

  // Nothing personal in clear in the row; each sealed value opens only at its own place.
  auto row = n.db.Scalar("SELECT concat_ws('|', pseudonym, encode(name_enc, 'escape'), encode(phone_enc, 'escape'),"
                         " encode(reference_enc, 'escape'), encode(notes_enc, 'escape')) FROM cases");
  CHECK(row.find("Amina") == std::string::npos);
  CHECK(row.find("H1234567") == std::string::npos);
  CHECK(row.find("900777") == std::string::npos);
  CHECK(row.find("Dallas") == std::string::npos);
  auto network_id = std::stoll(n.db.Scalar("SELECT id FROM networks WHERE slug = 'demo'"));
  auto cipher = DataCipher::FromHex(n.server->data_key());
  REQUIRE(cipher.ok());
  auto sealed_ref = FromHex(n.db.Scalar("SELECT encode(reference_enc, 'hex') FROM cases")).value_or("");
  CHECK(cipher->Open(sealed_ref, places::CaseReference(network_id, id)) == std::optional<std::string>("H1234567"));
  CHECK_FALSE(cipher->Open(sealed_ref, places::CaseNotes(network_id, id)).has_value());
  CHECK_FALSE(cipher->Open(sealed_ref, places::CaseReference(network_id, id + 1)).has_value());
  // The audit row names the case by id only.
  auto audit = n.db.Scalar("SELECT target || ' ' || detail::text FROM audit_log WHERE action = 'cases.create'");
  CHECK(audit == "case:" + std::to_string(id) + " {}");

  // A viewer sees the pseudonym, never the name, phone, reference, notes or consent.
  auto t = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  auto viewer = n.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  for (const auto& path : {CasePath(id), std::string(kCases)}) {
    auto seen = viewer.Get(path);
    REQUIRE(seen.status == 200);
    CHECK(seen.body.find("A.") != std::string::npos);
    for (const char* secret : {"Amina", "H1234567", "900777", "Dallas", "consent", "2026-10-02"}) {
      INFO(secret);
      CHECK(seen.body.find(secret) == std::string::npos);
    }
  }
  CHECK(viewer.Post(kCases, kCase).status == 403);
  CHECK(viewer.Patch(CasePath(id), R"({"status":"closed"})").status == 403);

  // PATCH changes what it names; null clears; bad input changes nothing.
  CHECK(n.c.Patch(CasePath(id), R"({"consent":{"mp":"tomorrow"}})").ErrorField() == "consent.mp");
  CHECK(Obj(n.c.Get(CasePath(id))).at("consent").as_object().at("mp").as_string() == "2026-10-02");
  auto patched = n.c.Patch(CasePath(id), R"({"consent":{"mp":null},"home_office_ref":"H7654321","public":true})");
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto p = Obj(patched);
  CHECK(p.at("consent").as_object().at("mp").is_null());
  CHECK(p.at("consent").as_object().at("legal").as_string() == "2026-09-14");
  CHECK(p.at("home_office_ref").as_string() == "H7654321");
  CHECK(p.at("public").as_bool());
  CHECK(p.at("name").as_string() == "Amina Hassan");
  CHECK(p.at("notes").as_string() == "reports weekly at Dallas Court");

  // Listed by status.
  auto other = post(R"({"name":"B. Person"})");
  REQUIRE(other.status == 201);
  const auto other_id = Obj(other).at("id").as_int64();
  CHECK(Obj(other).at("pseudonym").as_string() == "Case " + std::to_string(other_id));
  CHECK(Obj(other).at("language").as_string() == "en");
  REQUIRE(n.c.Patch(CasePath(other_id), R"({"status":"closed"})").status == 200);
  auto open = Obj(n.c.Get(std::string(kCases) + "?status=open")).at("cases").as_array();
  REQUIRE(open.size() == 1);
  CHECK(open[0].as_object().at("id").as_int64() == id);
  auto closed = Obj(n.c.Get(std::string(kCases) + "?status=closed")).at("cases").as_array();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].as_object().at("id").as_int64() == other_id);
  CHECK(Obj(n.c.Get(kCases)).at("cases").as_array().size() == 2);
  CHECK(n.c.Get(std::string(kCases) + "?status=maybe").ErrorField() == "status");
  CHECK(n.c.Get(CasePath(id + 1000)).status == 404);
  CHECK(n.c.Patch(CasePath(id + 1000), R"({"status":"closed"})").status == 404);
}

TEST_CASE("Cases: contacts are an organisation, a member or a campaign tree of the network", "[pg][cases]") {
  WebhookNetwork n;
  auto created = n.c.Post(kCases, kCase);
  REQUIRE(created.status == 201);
  const auto id = Obj(created).at("id").as_int64();
  const auto contacts = CasePath(id) + "/contacts";
  auto org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  auto member = n.AddMember(R"({"phone":"+447700900601","name":"Caseworker","roles":["responder"]})");
  auto supporter = n.AddMember(R"({"phone":"+447700900602"})");
  REQUIRE(n.c.Put("/v1/networks/demo/trees/supporters",
                  R"({"mode":"automated","wait":"1m","nodes":[{"member":)" + std::to_string(supporter) + "}]}")
              .status == 200);
  auto add = [&](const std::string& body) { return n.c.Post(contacts, body); };

  CHECK(add(R"({"role":"lawyer","organisation":)" + std::to_string(org) + "}").ErrorField() == "role");
  CHECK(add(R"({"role":"legal"})").ErrorField() == "organisation");
  CHECK(add(R"({"role":"legal","organisation":)" + std::to_string(org) + R"(,"member":)" + std::to_string(member) +
            "}")
            .ErrorField() == "member");
  CHECK(add(R"({"role":"legal","organisation":)" + std::to_string(org + 99) + "}").ErrorField() == "organisation");
  CHECK(add(R"({"role":"mp","member":)" + std::to_string(member + 99) + "}").ErrorField() == "member");
  CHECK(add(R"({"role":"bail","tree":"supporters"})").ErrorField() == "tree");
  CHECK(add(R"({"role":"campaign","tree":"nobody"})").ErrorField() == "tree");
  CHECK(n.c.Post(CasePath(id + 1000) + "/contacts", R"({"role":"mp","member":)" + std::to_string(member) + "}")
            .status == 404);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_contacts") == "0");

  REQUIRE(add(R"({"role":"legal","organisation":)" + std::to_string(org) + "}").status == 201);
  REQUIRE(add(R"({"role":"mp","member":)" + std::to_string(member) + "}").status == 201);
  auto tree = add(R"({"role":"campaign","tree":"supporters"})");
  INFO(tree.body);
  REQUIRE(tree.status == 201);
  CHECK(Obj(tree).at("tree").as_string() == "supporters");

  auto list = Obj(n.c.Get(contacts)).at("contacts").as_array();
  REQUIRE(list.size() == 3);
  CHECK(list[0].as_object().at("role").as_string() == "legal");
  CHECK(list[0].as_object().at("organisation").as_int64() == org);
  CHECK(list[1].as_object().at("member").as_int64() == member);
  CHECK(list[2].as_object().at("tree").as_string() == "supporters");
  CHECK(Obj(n.c.Get(CasePath(id))).at("contacts").as_array().size() == 3);
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'cases.contacts.create'") == "3");
}

TEST_CASE("Cases: events recorded with their fields, sealed, and listed in the timeline", "[pg][cases]") {
  WebhookNetwork n;
  auto created = n.c.Post(kCases, kCase);
  REQUIRE(created.status == 201);
  const auto id = Obj(created).at("id").as_int64();
  const auto events = CasePath(id) + "/events";
  auto post = [&](const std::string& body) { return n.c.Post(events, body); };

  CHECK(post(R"({"type":"arrested"})").ErrorField() == "type");
  CHECK(post(R"({"type":"detained"})").ErrorField() == "where");
  CHECK(post(R"({"type":"detained","text":"x"})").ErrorField() == "text");
  CHECK(post(R"({"type":"removal_directions"})").ErrorField() == "deadline");
  CHECK(post(R"({"type":"removal_directions","deadline":"Thursday"})").ErrorField() == "deadline");
  CHECK(post(R"({"type":"released","deadline":"2026-12-03T06:10:00Z"})").ErrorField() == "deadline");
  CHECK(post(R"({"type":"note"})").ErrorField() == "text");
  CHECK(post(R"({"type":"note","text":"x","colour":"red"})").status == 422);
  CHECK(n.c.Post(CasePath(id + 1000) + "/events", R"({"type":"released"})").status == 404);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events") == "0");

  auto detained = post(R"({"type":"detained","where":"Colnbrook IRC"})");
  INFO(detained.body);
  REQUIRE(detained.status == 201);
  CHECK(Obj(detained).at("where").as_string() == "Colnbrook IRC");
  REQUIRE(post(R"({"type":"removal_directions","deadline":"2030-12-03T06:10:00Z","details":"flight KQ101"})").status ==
          201);
  REQUIRE(post(R"({"type":"note","text":"bail hearing Friday"})").status == 201);
  REQUIRE(post(R"({"type":"removal_cancelled"})").status == 201);

  CHECK(n.db.Scalar("SELECT count(*) FROM case_events WHERE encode(detail_enc, 'escape') LIKE '%Colnbrook%'") ==
        "0");
  auto timeline = n.c.Get(CasePath(id) + "/timeline");
  REQUIRE(timeline.status == 200);
  auto items = Obj(timeline).at("timeline").as_array();
  // The alert each event raised follows it (detention, removal); removal_cancelled resolved both
  // and cancelled the removal's schedule, whose entries come last, at their (future) times.
  REQUIRE(items.size() == 10);
  CHECK(items[0].as_object().at("type").as_string() == "detained");
  CHECK(items[1].as_object().at("type").as_string() == "alert");
  CHECK(items[1].as_object().at("kind").as_string() == "detention");
  CHECK(items[1].as_object().at("status").as_string() == "resolved");
  CHECK(items[2].as_object().at("deadline").as_string() == "2030-12-03T06:10:00Z");
  CHECK(items[2].as_object().at("details").as_string() == "flight KQ101");
  CHECK(items[3].as_object().at("kind").as_string() == "removal");
  CHECK(items[3].as_object().at("status").as_string() == "resolved");
  CHECK(items[4].as_object().at("text").as_string() == "bail hearing Friday");
  CHECK(items[5].as_object().at("type").as_string() == "removal_cancelled");
  for (std::size_t i = 6; i < items.size(); ++i) {
    CHECK(items[i].as_object().at("type").as_string() == "schedule");
    CHECK(items[i].as_object().at("state").as_string() == "cancelled");
  }
  CHECK(std::string(items[0].as_object().at("by").as_string()).rfind("token:", 0) == 0);
  // Audited with ids and the type only.
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'cases.events.create'") == "4");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%Colnbrook%'") == "0");

  // Viewers may not read the timeline (it says where a person is held).
  auto t = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  auto viewer = n.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  CHECK(viewer.Get(CasePath(id) + "/timeline").status == 403);
  CHECK(viewer.Post(events, R"({"type":"released"})").status == 403);
}
