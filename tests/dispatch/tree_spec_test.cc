#include <catch2/catch.hpp>

#include "dispatch/model/tree_spec.h"

using namespace tocsin;

namespace {

constexpr std::string_view kIssueExample = R"({"mode": "relay", "wait": "2m",
 "nodes": [{"member": 12, "backup": 40, "children": [13, 14]},
           {"member": 13, "children": [15]},
           {"member": 14}]})";

// The field named by the error of parsing `text`, or "(ok)" when it parses.
std::string FieldOf(std::string_view text) {
  auto t = ParseTreeSpecText(text);
  if (t.ok()) return "(ok)";
  INFO(t.error().message);
  CHECK(t.error().code == ErrorCode::kInvalid);
  return t.error().field;
}

std::string MessageOf(std::string_view text) {
  auto t = ParseTreeSpecText(text);
  return t.ok() ? "(ok)" : t.error().message;
}

// An automated tree around `nodes` (the body of the JSON list).
std::string WithNodes(std::string_view nodes) {
  return R"({"mode": "automated", "nodes": [)" + std::string(nodes) + "]}";
}

// A chain 1 -> 2 -> ... -> `members`, the last member an implicit leaf.
std::string Chain(int members) {
  std::string nodes;
  for (int m = 1; m < members; ++m) {
    if (m > 1) nodes += ",";
    nodes +=
        R"({"member": )" + std::to_string(m) + R"(, "children": [)" + std::to_string(m + 1) + "]}";
  }
  return WithNodes(nodes);
}

void CheckRoundTrip(const TreeSpec& s) {
  auto json = TreeSpecToJson(s);
  INFO(boost::json::serialize(json));
  auto back = ParseTreeSpec(json);
  REQUIRE(back.ok());
  CHECK(back.value() == s);
  auto text_back = ParseTreeSpecText(boost::json::serialize(json));
  REQUIRE(text_back.ok());
  CHECK(text_back.value() == s);
}

}  // namespace

TEST_CASE("trees: the issue's example parses to canonical nodes", "[trees]") {
  auto r = ParseTreeSpecText(kIssueExample);
  REQUIRE(r.ok());
  const TreeSpec& s = r.value();
  CHECK(s.mode == TreeMode::kRelay);
  CHECK(s.wait_ms == 120000);
  // 15 is only named as a child: a leaf of its own.
  CHECK(s.nodes == std::vector<TreeNodeSpec>{{12, 0, 40}, {13, 12, 0}, {14, 12, 0}, {15, 13, 0}});
  CHECK(TreeMembers(s) == std::vector<std::int64_t>{12, 13, 14, 15, 40});
  CheckRoundTrip(s);

  auto json = TreeSpecToJson(s);
  CHECK(json.at("mode") == "relay");
  CHECK(json.at("wait") == "2m");
  CHECK(json.at("nodes").as_array().size() == 4);
  CHECK(json.at("nodes").at(0) == boost::json::parse(R"({"member": 12, "children": [13, 14],
                                                         "backup": 40})"));
  CHECK(json.at("nodes").at(3) == boost::json::parse(R"({"member": 15})"));
}

TEST_CASE("trees: mode names, default wait and a given wait", "[trees]") {
  CHECK(TreeModeName(TreeMode::kAutomated) == "automated");
  CHECK(TreeModeName(TreeMode::kRelay) == "relay");

  auto r = ParseTreeSpecText(WithNodes(R"({"member": 7, "backup": null})"));
  REQUIRE(r.ok());
  CHECK(r.value().mode == TreeMode::kAutomated);
  CHECK(r.value().wait_ms == kDefaultTreeWaitMs);
  CHECK(r.value().nodes == std::vector<TreeNodeSpec>{{7, 0, 0}});
  CheckRoundTrip(r.value());

  r = ParseTreeSpecText(R"({"nodes": [{"member": 7}], "wait": "1m30s", "mode": "relay"})");
  REQUIRE(r.ok());
  CHECK(r.value().wait_ms == 90 * 1000);
  CheckRoundTrip(r.value());
}

TEST_CASE("trees: canonical order is breadth first from the roots as listed", "[trees]") {
  // Listed deepest first, two roots (5 and 1), children in listed order, backups carried along.
  auto r = ParseTreeSpecText(WithNodes(R"(
    {"member": 6, "children": [8, 7], "backup": 1},
    {"member": 5, "children": [6]},
    {"member": 2, "backup": 9},
    {"member": 1, "children": [3, 2]})"));
  REQUIRE(r.ok());
  CHECK(r.value().nodes ==
        std::vector<TreeNodeSpec>{
            {5, 0, 0}, {1, 0, 0}, {6, 5, 1}, {3, 1, 0}, {2, 1, 9}, {8, 6, 0}, {7, 6, 0}});
  CHECK(TreeMembers(r.value()) == std::vector<std::int64_t>{1, 2, 3, 5, 6, 7, 8, 9});
  CheckRoundTrip(r.value());

  // Empty children are no children.
  r = ParseTreeSpecText(WithNodes(R"({"member": 4, "children": []})"));
  REQUIRE(r.ok());
  CHECK(r.value().nodes == std::vector<TreeNodeSpec>{{4, 0, 0}});
}

TEST_CASE("trees: top level", "[trees]") {
  CHECK(FieldOf(R"({"nodes": [{"member": 1}]})") == "mode");
  CHECK(FieldOf(R"({"mode": "relay"})") == "nodes");
  CHECK(FieldOf(R"({"mode": "manual", "nodes": [{"member": 1}]})") == "mode");
  CHECK(MessageOf(R"({"mode": "manual", "nodes": [{"member": 1}]})") ==
        "must be 'automated' or 'relay'");
  CHECK(FieldOf(R"({"mode": 1, "nodes": [{"member": 1}]})") == "mode");
  CHECK(FieldOf(R"({"mode": "relay", "wait": "3x", "nodes": [{"member": 1}]})") == "wait");
  CHECK(FieldOf(R"({"mode": "relay", "wait": 120, "nodes": [{"member": 1}]})") == "wait");
  CHECK(FieldOf(R"({"mode": "relay", "wait": "49h", "nodes": [{"member": 1}]})") == "wait");
  CHECK(FieldOf(R"({"mode": "relay", "nodes": []})") == "nodes");
  CHECK(FieldOf(R"({"mode": "relay", "nodes": {"member": 1}})") == "nodes");
  CHECK(FieldOf(R"({"mode": "relay", "nodes": [{"member": 1}], "colour": "red"})") == "colour");
  CHECK(MessageOf(R"({"mode": "relay", "nodes": [{"member": 1}], "colour": "red"})") ==
        "unknown field");
  CHECK(FieldOf(R"([{"member": 1}])") == "");
  CHECK(FieldOf(R"("relay")") == "");
}

TEST_CASE("trees: node fields", "[trees]") {
  CHECK(FieldOf(WithNodes(R"({"member": 1}, 2)")) == "nodes[1]");
  CHECK(FieldOf(WithNodes(R"({"member": 1}, {"children": [3]})")) == "nodes[1].member");
  CHECK(FieldOf(WithNodes(R"({"member": 1}, {"member": 2, "colour": "red"})")) ==
        "nodes[1].colour");
  for (std::string_view bad :
       {"0", "-3", "1.5", "5.0", "\"12\"", "true", "null", "[]", "18446744073709551615"}) {
    INFO(bad);
    CHECK(FieldOf(WithNodes(R"({"member": 1}, {"member": 2}, {"member": )" + std::string(bad) +
                            "}")) == "nodes[2].member");
    CHECK(FieldOf(WithNodes(R"({"member": 1, "children": [2, )" + std::string(bad) + "]}")) ==
          "nodes[0].children[1]");
  }
  CHECK(MessageOf(WithNodes(R"({"member": 0})")) == "must be a member id (a whole number >= 1)");
  CHECK(FieldOf(WithNodes(R"({"member": 1, "children": 2})")) == "nodes[0].children");
  for (std::string_view bad : {"0", "-1", "2.5", "\"40\"", "false", "[40]"}) {
    INFO(bad);
    CHECK(FieldOf(WithNodes(R"({"member": 1, "backup": )" + std::string(bad) + "}")) ==
          "nodes[0].backup");
  }
  CHECK(FieldOf(WithNodes(R"({"member": 1}, {"backup": 3, "member": 3})")) == "nodes[1].backup");
  CHECK(MessageOf(WithNodes(R"({"member": 3, "backup": 3})")) ==
        "a member cannot be their own backup");
}

TEST_CASE("trees: one node and one parent per member", "[trees]") {
  auto two_nodes = WithNodes(R"({"member": 1, "children": [2]}, {"member": 2}, {"member": 1})");
  CHECK(FieldOf(two_nodes) == "nodes[2].member");
  CHECK(MessageOf(two_nodes) == "member 1 has two nodes");

  auto two_parents =
      WithNodes(R"({"member": 1, "children": [3]}, {"member": 2, "children": [4, 3]})");
  CHECK(FieldOf(two_parents) == "nodes[1].children[1]");
  CHECK(MessageOf(two_parents) == "member 3 already has a parent");

  auto listed_twice = WithNodes(R"({"member": 1, "children": [2, 3, 2]})");
  CHECK(FieldOf(listed_twice) == "nodes[0].children[2]");
  CHECK(MessageOf(listed_twice) == "member 2 already has a parent");
}

TEST_CASE("trees: cycles", "[trees]") {
  auto own_child =
      WithNodes(R"({"member": 1, "children": [2]}, {"member": 2, "children": [3, 2]})");
  CHECK(FieldOf(own_child) == "nodes[1].children[1]");
  CHECK(MessageOf(own_child).find("cycle through member 2") == 0);

  auto three = WithNodes(R"({"member": 1, "children": [2]}, {"member": 2, "children": [3]},
                            {"member": 3, "children": [1]})");
  CHECK(FieldOf(three) == "nodes");
  CHECK(MessageOf(three) == "cycle through member 1");

  // A cycle beside a well-formed tree, with a branch hanging below the cycle: still refused, and
  // the member named is on the cycle itself.
  auto beside = WithNodes(R"({"member": 10, "children": [11]},
                             {"member": 4, "children": [5]},
                             {"member": 5, "children": [6, 7]},
                             {"member": 6, "children": [4]})");
  CHECK(FieldOf(beside) == "nodes");
  CHECK(MessageOf(beside) == "cycle through member 4");
}

TEST_CASE("trees: size bounds", "[trees]") {
  // 4999 listed nodes and one implicit leaf: exactly kMaxTreeNodes.
  auto chain = ParseTreeSpecText(Chain(5000));
  REQUIRE(chain.ok());
  const auto& nodes = chain.value().nodes;
  REQUIRE(nodes.size() == kMaxTreeNodes);
  CHECK(nodes.front() == TreeNodeSpec{1, 0, 0});
  CHECK(nodes.back() == TreeNodeSpec{5000, 4999, 0});
  CheckRoundTrip(chain.value());

  // One more member, counted through the implicit leaf.
  CHECK(FieldOf(Chain(5001)) == "nodes");
  CHECK(MessageOf(Chain(5001)) == "at most 5000 nodes");

  // 5001 listed entries.
  std::string listed;
  for (int m = 1; m <= 5001; ++m) listed += (m > 1 ? "," : "") + std::to_string(m);
  CHECK(FieldOf(R"({"mode": "relay", "nodes": [{"member": 1, "children": [)" + listed + "]}]}") ==
        "nodes[0].children");
  std::string many;
  for (int m = 1; m <= 5001; ++m) {
    many += (m > 1 ? "," : "") + std::string(R"({"member": )") + std::to_string(m) + "}";
  }
  CHECK(FieldOf(WithNodes(many)) == "nodes");

  // A wide tree: 1 root, 4999 children, all leaves.
  std::string wide;
  for (int m = 2; m <= 5000; ++m) wide += (m > 2 ? "," : "") + std::to_string(m);
  auto r = ParseTreeSpecText(WithNodes(R"({"member": 1, "children": [)" + wide + "]}"));
  REQUIRE(r.ok());
  CHECK(r.value().nodes.size() == kMaxTreeNodes);
  CHECK(r.value().nodes[4999] == TreeNodeSpec{5000, 1, 0});

  // A 5000-member cycle is found without trouble.
  std::string ring;
  for (int m = 1; m <= 5000; ++m) {
    ring += (m > 1 ? "," : "") + std::string(R"({"member": )") + std::to_string(m) +
            R"(, "children": [)" + std::to_string(m % 5000 + 1) + "]}";
  }
  CHECK(FieldOf(WithNodes(ring)) == "nodes");
  CHECK(MessageOf(WithNodes(ring)) == "cycle through member 1");
}

TEST_CASE("trees: malformed and oversized text", "[trees]") {
  auto r = ParseTreeSpecText(R"({"mode": "relay", "nodes": [)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kMalformed);
  r = ParseTreeSpecText("");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kMalformed);
  r = ParseTreeSpecText(std::string(kMaxTreeBytes + 1, ' '));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kTooLarge);
  r = ParseTreeSpecText("[1, 2]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalid);
}
