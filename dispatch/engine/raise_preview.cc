#include "dispatch/engine/raise_preview.h"

#include <algorithm>
#include <set>

#include "dispatch/engine/alert_use_cases.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/policy_store.h"
#include "dispatch/store/reachable_members.h"

namespace tocsin {
namespace {

bool Meets(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::any_of(have.begin(), have.end(), [&](const std::string& x) {
    return std::find(want.begin(), want.end(), x) != want.end();
  });
}

// Whether audience `a` reaches member `m` (the fan-out's rule: fanout.cc QueueAudience).
bool Reaches(const PolicyAudience& a, const ReachableMember& m,
             const std::vector<std::string>& alert_areas, const std::vector<std::string>& around) {
  if (a.scope == AreaScope::kMembers)
    return std::binary_search(a.members.begin(), a.members.end(), m.id);
  if (a.scope == AreaScope::kTree || a.scope == AreaScope::kNoMembers) return false;
  const auto roles = a.roles.empty() ? std::vector<std::string>{"responder"} : a.roles;
  if (!Meets(m.roles, roles)) return false;
  switch (a.scope) {
    case AreaScope::kAlert:
      return Meets(m.areas, alert_areas);
    case AreaScope::kNeighbours:
      return Meets(m.areas, around);
    case AreaScope::kNamed:
      return Meets(m.areas, a.areas);
    default:
      return true;  // kNetwork
  }
}

}  // namespace

Result<RaisePreview> PreviewRaise(pqxx::transaction_base& tx, const AlertStore& alerts,
                                  const Network& net, const AlertInput& raw) {
  auto canonical = CanonicalAlertInput(raw);
  if (!canonical.ok()) return canonical.error();
  const AlertInput in = std::move(canonical).value();
  std::vector<PolicyAudience> audiences;
  if (in.audience_given) {
    audiences = RequestAudience(in);
  } else {
    audiences.push_back(PolicyFor(tx, net.id, in.kind).steps.front().audience);
  }
  const auto around = alerts.NeighboursOf(tx, net.id, in.areas);
  RaisePreview out;
  for (const auto& a : audiences) out.neighbours_included |= a.scope == AreaScope::kNeighbours;
  // Without the neighbours: who the step's first area audience (or the request's roles) would add.
  PolicyAudience widen;
  widen.scope = AreaScope::kNeighbours;
  widen.roles = in.audience_given ? in.roles : audiences.front().roles;
  for (const auto& m : ReachableMembers(tx, net.id)) {
    bool reached = std::any_of(audiences.begin(), audiences.end(), [&](const PolicyAudience& a) {
      return Reaches(a, m, in.areas, around);
    });
    bool in_neighbours = Meets(m.areas, around) && !Meets(m.areas, in.areas);
    if (reached) {
      ++out.recipients;
      for (const auto& area : in.areas) {
        if (std::find(m.areas.begin(), m.areas.end(), area) != m.areas.end()) ++out.by_area[area];
      }
      if (out.neighbours_included && in_neighbours) ++out.neighbours;
    } else if (!out.neighbours_included && in_neighbours && Reaches(widen, m, in.areas, around)) {
      ++out.neighbours;
    }
  }
  for (const auto& area : in.areas) out.by_area.try_emplace(area, 0);
  return out;
}

}  // namespace tocsin
