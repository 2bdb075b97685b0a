// Tiered disclosure: how much an alert's texts say before a member answers going.
//
//   full    every text to members carries the exact location and the details (the default);
//   tiered  the alert, its reminders and everything resent from it (escalation steps, backups,
//           tree messages) carry the kind, the areas and the code only; a member who answers
//           going gets the location and details in the confirmation.
//
// A network sets a default and may override it per alert kind; an alert is rendered with the
// disclosure of its kind at its raise (its texts are rendered once).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

enum class Disclosure { kFull, kTiered };

struct DisclosureRule {
  Disclosure default_mode = Disclosure::kFull;
  std::map<std::string, Disclosure> kinds;  // overrides by alert kind

  Disclosure For(const std::string& kind) const;
};

// "full" or "tiered"; else Error::Invalid naming `field`.
Result<Disclosure> ParseDisclosure(std::string_view text, const std::string& field);
const char* DisclosureName(Disclosure d);

}  // namespace tocsin
