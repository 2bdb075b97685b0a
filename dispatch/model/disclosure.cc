#include "dispatch/model/disclosure.h"

namespace tocsin {

Disclosure DisclosureRule::For(const std::string& kind) const {
  auto it = kinds.find(kind);
  return it == kinds.end() ? default_mode : it->second;
}

Result<Disclosure> ParseDisclosure(std::string_view text, const std::string& field) {
  if (text == "full") return Disclosure::kFull;
  if (text == "tiered") return Disclosure::kTiered;
  return Error::Invalid(field, "must be \"full\" or \"tiered\"");
}

const char* DisclosureName(Disclosure d) { return d == Disclosure::kTiered ? "tiered" : "full"; }

}  // namespace tocsin
