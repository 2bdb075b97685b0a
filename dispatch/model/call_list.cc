#include "dispatch/model/call_list.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "dispatch/message/segments.h"

namespace tocsin {

std::vector<CallListOwed> CallListsOwed(const std::vector<WalkNode>& nodes, TreeMode mode,
                                        const std::vector<std::int64_t>& contacted) {
  if (mode != TreeMode::kRelay) return {};
  std::unordered_set<std::int64_t> is_node;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> children;     // by parent
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> standing_in;  // backup -> nodes
  for (const auto& n : nodes) is_node.insert(n.member);
  for (const auto& n : nodes) {
    if (n.parent != 0 && is_node.count(n.parent)) children[n.parent].push_back(n.member);
    if (n.backup != 0 && n.state == NodeState::kBackup) standing_in[n.backup].push_back(n.member);
  }
  std::vector<CallListOwed> out;
  std::unordered_set<std::int64_t> seen;
  for (auto member : contacted) {
    if (!seen.insert(member).second) continue;
    CallListOwed owed{member, {}};
    auto add_children_of = [&](std::int64_t node) {
      auto it = children.find(node);
      if (it == children.end()) return;
      for (auto child : it->second) {
        if (std::find(owed.people.begin(), owed.people.end(), child) == owed.people.end()) {
          owed.people.push_back(child);
        }
      }
    };
    if (is_node.count(member)) add_children_of(member);
    if (auto it = standing_in.find(member); it != standing_in.end()) {
      for (auto node : it->second) add_children_of(node);
    }
    if (!owed.people.empty()) out.push_back(std::move(owed));
  }
  return out;
}

std::size_t PeopleThatFit(std::size_t total, int max_segments,
                          const std::function<std::string(std::size_t shown)>& text_naming) {
  if (total == 0) return 0;
  auto fits = [&](std::size_t n) { return MeasureSms(text_naming(n)).segments <= max_segments; };
  if (fits(total)) return total;
  std::size_t n = 1;
  while (n + 1 < total && fits(n + 1)) ++n;
  return n;
}

Result<std::string> CallListTexts::Render(std::string_view key,
                                          const std::map<std::string, std::string>& vars) const {
  return templates_.Render(language_, fallback_, "", key, vars);
}

Result<std::string> CallListTexts::Lines(const std::vector<CallListPerson>& people,
                                         std::size_t from, std::size_t to, std::size_t more) const {
  auto separator = Render("relay_separator", {});
  if (!separator.ok()) return separator.error();
  std::string named;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) named += separator.value() + " ";
    const auto& p = people[i];
    named += p.name.empty() ? p.phone : p.name + " " + p.phone;
  }
  auto call = Render("relay_call", {{"people", named}});
  if (!call.ok() || more == 0) return call;
  auto tail = Render("relay_more", {{"count", std::to_string(more)}});
  if (!tail.ok()) return tail.error();
  return call.value() + " " + tail.value();
}

Result<std::string> CallListTexts::AlertText(std::string_view alert_text,
                                             const std::vector<CallListPerson>& people) const {
  if (people.empty()) return std::string(alert_text);
  const std::string head = std::string(alert_text) + "\n";
  auto naming = [&](std::size_t n) {
    auto lines = Lines(people, 0, n, people.size() - n);
    return lines.ok() ? head + lines.value() : head;
  };
  const std::size_t shown = PeopleThatFit(people.size(), kCallListSegments, naming);
  auto lines = Lines(people, 0, shown, people.size() - shown);
  if (!lines.ok()) return lines.error();
  return head + lines.value();
}

Result<std::string> CallListTexts::VoiceAlertText(std::string_view alert_text,
                                                  const std::vector<CallListPerson>& people) const {
  if (people.empty()) return std::string(alert_text);
  auto separator = Render("relay_separator", {});
  if (!separator.ok()) return separator.error();
  std::string named;
  std::size_t nameless = 0;
  for (const auto& p : people) {
    if (p.name.empty()) {
      ++nameless;
      continue;
    }
    named += (named.empty() ? "" : separator.value() + " ") + p.name;
  }
  std::string text = std::string(alert_text) + "\n";
  if (!named.empty()) {
    auto call = Render("relay_call", {{"people", named}});
    if (!call.ok()) return call.error();
    text += call.value() + (nameless > 0 ? " " : "");
  }
  if (nameless > 0) {
    auto tail = Render("relay_more", {{"count", std::to_string(nameless)}});
    if (!tail.ok()) return tail.error();
    text += tail.value();
  }
  return text;
}

Result<std::vector<std::string>> CallListTexts::ListTexts(
    const std::vector<CallListPerson>& people) const {
  std::vector<std::string> out;
  if (people.empty()) {
    auto none = Render("relay_none", {});
    if (!none.ok()) return none.error();
    out.push_back(std::move(none).value());
    return out;
  }
  for (std::size_t from = 0; from < people.size();) {
    auto naming = [&](std::size_t n) {
      auto lines = Lines(people, from, from + n, 0);
      return lines.ok() ? lines.value() : std::string();
    };
    const std::size_t shown = PeopleThatFit(people.size() - from, kCallListSegments, naming);
    auto lines = Lines(people, from, from + shown, 0);
    if (!lines.ok()) return lines.error();
    out.push_back(std::move(lines).value());
    from += shown;
  }
  return out;
}

}  // namespace tocsin
