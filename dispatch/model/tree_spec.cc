#include "dispatch/model/tree_spec.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "dispatch/model/policy.h"  // ParseDuration, FormatDuration

#include "dispatch/util/json_fields.h"

namespace tocsin {
namespace json = boost::json;

namespace {


constexpr std::string_view kMemberIdHelp = "must be a member id (a whole number >= 1)";
constexpr std::string_view kModeHelp = "must be 'automated' or 'relay'";
constexpr std::string_view kDurationHelp = "must be a duration such as '90s', '2m' or '1h30m'";

Error TooManyNodes() {
  return Error::Invalid("nodes", "at most " + std::to_string(kMaxTreeNodes) + " nodes");
}

std::string CycleThrough(std::int64_t member) {
  return "cycle through member " + std::to_string(member);
}

Result<std::int64_t> MemberId(const json::value& v, const std::string& field) {
  auto id = JsonInt64(v);
  if (!id || *id < 1) return Error::Invalid(field, std::string(kMemberIdHelp));
  return *id;
}

Result<TreeMode> ParseMode(const json::value& v) {
  if (v.is_string() && v.get_string() == "automated") return TreeMode::kAutomated;
  if (v.is_string() && v.get_string() == "relay") return TreeMode::kRelay;
  return Error::Invalid("mode", std::string(kModeHelp));
}

Result<std::int64_t> ParseWait(const json::value& v) {
  if (!v.is_string()) return Error::Invalid("wait", std::string(kDurationHelp));
  return ParseDuration(v.get_string(), "wait");
}

// A node as listed, before it is linked to the others.
struct ListedNode {
  std::int64_t member = 0;
  std::int64_t backup = 0;  // 0: none
  std::vector<std::int64_t> children;
};

Result<std::vector<std::int64_t>> ParseChildren(const json::value& v, const std::string& field) {
  if (!v.is_array()) return Error::Invalid(field, "must be a list of member ids");
  const auto& items = v.get_array();
  if (items.size() > kMaxTreeNodes) {
    return Error::Invalid(field, "at most " + std::to_string(kMaxTreeNodes) + " children");
  }
  std::vector<std::int64_t> children;
  children.reserve(items.size());
  for (std::size_t j = 0; j < items.size(); ++j) {
    auto id = MemberId(items[j], FieldIndex(field, j));
    if (!id.ok()) return id.error();
    children.push_back(id.value());
  }
  return children;
}

// One entry of `nodes`, at `path` ("nodes[3]"): its own fields only, not its links to others.
Result<ListedNode> ParseNode(const json::value& v, const std::string& path) {
  if (!v.is_object()) {
    return Error::Invalid(path, "must be an object such as {\"member\": 12, \"children\": [13]}");
  }
  ListedNode node;
  for (const auto& kv : v.get_object()) {
    std::string_view key = kv.key();
    auto field = FieldKey(path, key);
    if (key == "member") {
      auto id = MemberId(kv.value(), field);
      if (!id.ok()) return id.error();
      node.member = id.value();
    } else if (key == "backup") {
      if (kv.value().is_null()) continue;  // explicitly none
      auto id = MemberId(kv.value(), field);
      if (!id.ok()) return id.error();
      node.backup = id.value();
    } else if (key == "children") {
      auto children = ParseChildren(kv.value(), field);
      if (!children.ok()) return children.error();
      node.children = std::move(children).value();
    } else {
      return UnknownField(path, key);
    }
  }
  if (node.member == 0) return Error::Invalid(FieldKey(path, "member"), "required");
  if (node.backup == node.member) {
    return Error::Invalid(FieldKey(path, "backup"), "a member cannot be their own backup");
  }
  return node;
}

// The listed nodes and the parent links between them. AddNode keeps these invariants:
//  1. Each member is listed as a node at most once (node_of).
//  2. Each member has at most one parent (parent_of), and no node is its own child.
//  3. parent_of holds at most kMaxTreeNodes members, so an oversized tree is refused before it
//     is held in full (every child counts as a node).
// Longer cycles are not ruled out here: ParseNodes finds them after BreadthFirst.
struct Forest {
  std::vector<ListedNode> nodes;                             // in the order listed
  std::unordered_map<std::int64_t, std::size_t> node_of;     // member -> index in nodes
  std::unordered_map<std::int64_t, std::int64_t> parent_of;  // child member -> parent member
};

// Adds the node listed at `path`. On error the forest is partly updated and must be dropped.
Status AddNode(Forest& forest, ListedNode node, const std::string& path) {
  if (!forest.node_of.emplace(node.member, forest.nodes.size()).second) {
    return Error::Invalid(FieldKey(path, "member"),
                          "member " + std::to_string(node.member) + " has two nodes");
  }
  auto children_path = FieldKey(path, "children");
  for (std::size_t j = 0; j < node.children.size(); ++j) {
    std::int64_t child = node.children[j];
    if (child == node.member) {
      return Error::Invalid(FieldIndex(children_path, j),
                            CycleThrough(child) + ": a member cannot be their own child");
    }
    if (!forest.parent_of.emplace(child, node.member).second) {
      return Error::Invalid(FieldIndex(children_path, j),
                            "member " + std::to_string(child) + " already has a parent");
    }
    if (forest.parent_of.size() > kMaxTreeNodes) return TooManyNodes();
  }
  forest.nodes.push_back(std::move(node));
  return Ok{};
}

// Listed nodes plus the leaves only named as children.
std::size_t NodeCount(const Forest& forest) {
  std::size_t leaves = 0;
  for (const auto& link : forest.parent_of) leaves += forest.node_of.count(link.first) == 0;
  return forest.nodes.size() + leaves;
}

struct Walk {
  std::vector<TreeNodeSpec> order;  // canonical order
  std::vector<bool> reached;        // per listed node
};

// Breadth first from the roots (listed nodes without a parent, in the order listed), children in
// the order listed. As every member has at most one parent, nobody is reached twice; nodes on or
// below a cycle are not reached at all.
Walk BreadthFirst(const Forest& forest) {
  Walk walk;
  walk.reached.assign(forest.nodes.size(), false);
  auto backup_of = [&](std::int64_t member) -> std::int64_t {
    auto it = forest.node_of.find(member);
    return it == forest.node_of.end() ? 0 : forest.nodes[it->second].backup;
  };
  for (const auto& node : forest.nodes) {
    if (!forest.parent_of.contains(node.member)) {
      walk.order.push_back({node.member, 0, node.backup});
    }
  }
  for (std::size_t head = 0; head < walk.order.size(); ++head) {
    auto it = forest.node_of.find(walk.order[head].member);
    if (it == forest.node_of.end()) continue;  // a leaf only named as a child
    walk.reached[it->second] = true;
    const ListedNode& node = forest.nodes[it->second];
    for (std::int64_t child : node.children) {
      walk.order.push_back({child, node.member, backup_of(child)});
    }
  }
  return walk;
}

// A member on the cycle above listed node `start`, which no root reaches. Every member on the way
// up from it has a parent (or it would be a root), so the walk must come back to one it has seen.
std::int64_t MemberOnCycle(const Forest& forest, std::int64_t start) {
  std::unordered_set<std::int64_t> seen;
  std::int64_t member = start;
  while (seen.insert(member).second) member = forest.parent_of.at(member);
  return member;
}

// `nodes`: parsed and linked in the order listed, then checked as a whole and put in canonical
// order.
Result<std::vector<TreeNodeSpec>> ParseNodes(const json::value& v) {
  if (!v.is_array()) return Error::Invalid("nodes", "must be a list of nodes");
  const auto& items = v.get_array();
  if (items.empty()) return Error::Invalid("nodes", "must list at least one node");
  if (items.size() > kMaxTreeNodes) return TooManyNodes();
  Forest forest;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto path = FieldIndex("nodes", i);
    auto node = ParseNode(items[i], path);
    if (!node.ok()) return node.error();
    if (auto added = AddNode(forest, std::move(node).value(), path); !added.ok()) {
      return added.error();
    }
  }
  if (NodeCount(forest) > kMaxTreeNodes) return TooManyNodes();
  Walk walk = BreadthFirst(forest);
  for (std::size_t i = 0; i < forest.nodes.size(); ++i) {
    if (!walk.reached[i]) {
      return Error::Invalid("nodes", CycleThrough(MemberOnCycle(forest, forest.nodes[i].member)));
    }
  }
  return std::move(walk.order);
}

}  // namespace

std::string_view TreeModeName(TreeMode mode) {
  switch (mode) {
    case TreeMode::kAutomated:
      return "automated";
    case TreeMode::kRelay:
      return "relay";
  }
  return "automated";
}

TreeMode StoredTreeMode(std::string_view name) {
  return name == "relay" ? TreeMode::kRelay : TreeMode::kAutomated;
}

Result<TreeSpec> ParseTreeSpec(const json::value& v) {
  if (!v.is_object()) {
    return Error::Invalid("", "a tree must be a JSON object with 'mode' and 'nodes'");
  }
  TreeSpec spec;
  bool mode_given = false;
  bool nodes_given = false;
  for (const auto& kv : v.get_object()) {
    std::string_view key = kv.key();
    if (key == "mode") {
      auto mode = ParseMode(kv.value());
      if (!mode.ok()) return mode.error();
      spec.mode = mode.value();
      mode_given = true;
    } else if (key == "wait") {
      auto ms = ParseWait(kv.value());
      if (!ms.ok()) return ms.error();
      spec.wait_ms = ms.value();
    } else if (key == "nodes") {
      auto nodes = ParseNodes(kv.value());
      if (!nodes.ok()) return nodes.error();
      spec.nodes = std::move(nodes).value();
      nodes_given = true;
    } else {
      return UnknownField("", key);
    }
  }
  if (!mode_given) return Error::Invalid("mode", "required: " + std::string(kModeHelp));
  if (!nodes_given) return Error::Invalid("nodes", "required");
  return spec;
}

Result<TreeSpec> ParseTreeSpecText(std::string_view text) {
  auto v = ParseJsonText(text, kMaxTreeBytes, "the tree");
  if (!v.ok()) return v.error();
  return ParseTreeSpec(v.value());
}

json::value TreeSpecToJson(const TreeSpec& s) {
  // Children lists come back from the parent links; s.nodes keeps each node's children in order.
  std::unordered_map<std::int64_t, std::size_t> index_of;
  for (std::size_t i = 0; i < s.nodes.size(); ++i) index_of.emplace(s.nodes[i].member, i);
  std::vector<json::array> children(s.nodes.size());
  for (const auto& node : s.nodes) {
    auto parent = index_of.find(node.parent);
    if (node.parent != 0 && parent != index_of.end()) {
      children[parent->second].push_back(node.member);
    }
  }
  json::array nodes;
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    json::object n;
    n["member"] = s.nodes[i].member;
    if (!children[i].empty()) n["children"] = std::move(children[i]);
    if (s.nodes[i].backup != 0) n["backup"] = s.nodes[i].backup;
    nodes.push_back(std::move(n));
  }
  json::object out;
  out["mode"] = TreeModeName(s.mode);
  out["wait"] = FormatDuration(s.wait_ms);
  out["nodes"] = std::move(nodes);
  return out;
}

std::vector<std::int64_t> TreeMembers(const TreeSpec& s) {
  std::vector<std::int64_t> members;
  members.reserve(2 * s.nodes.size());
  for (const auto& node : s.nodes) {
    members.push_back(node.member);
    if (node.backup != 0) members.push_back(node.backup);
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return members;
}

}  // namespace tocsin
