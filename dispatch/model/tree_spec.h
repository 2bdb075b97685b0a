// Phone tree definitions: who passes an alert on to whom, parsed and validated from the JSON a
// coordinator PUTs at /v1/networks/{slug}/trees/{name}, and written back to JSON. This file only
// describes a tree: it does not know whether the members belong to the network (TreeMembers lists
// them for the caller to check), nor how a tree is stored or run.
//
// The JSON form:
//
//   {"mode": "relay", "wait": "2m",
//    "nodes": [{"member": 12, "backup": 40, "children": [13, 14]},
//              {"member": 13, "children": [15]},
//              {"member": 14}]}
//
// What it means:
//  1. `mode` (required): "automated" = Tocsin messages each node's children once the node has
//     answered or its wait has passed. "relay" = a node's person phones their children; each child
//     confirms by texting 1; whoever is not confirmed within the wait is contacted by Tocsin
//     directly.
//  2. `wait` (default "2m"): how long a node has to answer (automated) or to be confirmed (relay)
//     before Tocsin repairs the tree. A duration as ParseDuration reads it (policy.h).
//  3. `nodes` (required, 1..kMaxTreeNodes entries): one per member. `member` is a member id;
//     `children` (optional, at most kMaxTreeNodes) the member ids below it, in calling order;
//     `backup` (optional, null = none) a member id standing in for this node's member.
//  4. A child that is not listed as a node is a leaf: no children, no backup.
//  5. Shape: every member has at most one node and at most one parent, and there is no cycle, so
//     the nodes form one or more trees, each rooted at a node without a parent. At most
//     kMaxTreeNodes nodes in all, leaves included.
//
// Member ids are whole numbers >= 1. Validation names the first offending field, in the order the
// nodes are listed, with the path style of policy.h ("mode", "nodes[3].member",
// "nodes[1].children[0]", "nodes[0].backup"); a cycle not through a single node is reported on
// "nodes" ("cycle through member N"). Unknown keys at any level are errors naming them
// ("nodes[2].colour": "unknown field").
//
// A parsed tree is canonical: nodes breadth first from the roots (all roots first, in the order
// listed, then their children level by level, each node's children in the order listed), so
// ParseTreeSpec(TreeSpecToJson(s)) == s.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "dispatch/util/result.h"

namespace tocsin {

inline constexpr std::size_t kMaxTreeNodes = 5000;        // nodes in a tree, leaves included
inline constexpr std::size_t kMaxTreeBytes = 512 * 1024;  // ParseTreeSpecText's input bound
inline constexpr std::int64_t kDefaultTreeWaitMs = 2 * 60 * 1000;

enum class TreeMode {
  kAutomated,  // Tocsin messages each node's children itself
  kRelay,      // each node's person phones their children, who confirm by texting 1
};

// "automated" / "relay": the JSON spelling.
std::string_view TreeModeName(TreeMode mode);
// The inverse, for names as stored (validated on write): "relay" -> kRelay, else kAutomated.
TreeMode StoredTreeMode(std::string_view name);

struct TreeNodeSpec {
  std::int64_t member = 0;
  std::int64_t parent = 0;  // 0: a root
  std::int64_t backup = 0;  // 0: none

  friend bool operator==(const TreeNodeSpec&, const TreeNodeSpec&) = default;
};

struct TreeSpec {
  TreeMode mode = TreeMode::kAutomated;
  std::int64_t wait_ms = kDefaultTreeWaitMs;
  std::vector<TreeNodeSpec> nodes;  // canonical order (see above), leaves included

  friend bool operator==(const TreeSpec&, const TreeSpec&) = default;
};

// Parses and validates a tree. Returns Error::Invalid naming the first offending field, or the
// tree in canonical form.
Result<TreeSpec> ParseTreeSpec(const boost::json::value& v);

// As ParseTreeSpec, from text. Text that is not JSON -> ErrorCode::kMalformed; more than
// kMaxTreeBytes -> ErrorCode::kTooLarge.
Result<TreeSpec> ParseTreeSpecText(std::string_view json);

// The JSON form of `s`: mode, wait (via FormatDuration) and every node, leaves too, in the order
// of s.nodes; "children" only when a node has any, "backup" only when set. For a valid tree,
// ParseTreeSpec(TreeSpecToJson(s)) == s.
boost::json::value TreeSpecToJson(const TreeSpec& s);

// Every member id the tree mentions (nodes and backups), sorted, without duplicates: for the
// caller to check they all belong to the network.
std::vector<std::int64_t> TreeMembers(const TreeSpec& s);

}  // namespace tocsin
