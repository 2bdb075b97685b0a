#include "dispatch/model/organisation.h"

#include <algorithm>
#include <array>

#include <boost/url/parse.hpp>

#include "dispatch/model/alert.h"
#include "dispatch/model/validation.h"
#include "dispatch/util/ip_address.h"

namespace tocsin {
namespace {

constexpr std::array<std::string_view, 7> kEvents = {"alert.raised",    "alert.updated",   "alert.resolved",
                                                     "alert.cancelled", "answer.recorded", "escalation.step",
                                                     "case.ask"};

// A list that may be absent (unchanged), null (every) or a list, made canonical.
Status NormaliseFilter(std::optional<std::optional<std::vector<std::string>>>& list, std::string_view field,
                       Status (*check)(std::string_view, std::string_view)) {
  if (!list || !*list) return Ok{};
  if ((*list)->empty()) return Error::Invalid(std::string(field), "name at least one, or null for every");
  auto canonical = CanonicalList(std::move(**list), field, check);
  if (!canonical.ok()) return canonical.error();
  **list = std::move(canonical.value());
  return Ok{};
}

}  // namespace

Result<OrganisationInput> NormaliseOrganisationInput(OrganisationInput in, bool create,
                                                     const std::string& default_language) {
  if (create && !in.slug) return Error::Invalid("slug", "is required");
  if (create && !in.name) return Error::Invalid("name", "is required");
  if (in.slug) {
    if (auto s = CheckSlug(*in.slug, "slug"); !s.ok()) return s.error();
  }
  if (in.name) {
    if (auto s = CheckText(*in.name, "name"); !s.ok()) return s.error();
  }
  if (create && !in.language) in.language = default_language;
  if (in.language) {
    if (auto s = CheckLanguage(*in.language, "language"); !s.ok()) return s.error();
  }
  if (auto s = NormaliseFilter(in.kinds, "kinds", &CheckAlertKind); !s.ok()) return s.error();
  if (auto s = NormaliseFilter(in.areas, "areas", &CheckAreaName); !s.ok()) return s.error();
  return in;
}

bool IsWebhookEvent(std::string_view event) {
  return std::find(kEvents.begin(), kEvents.end(), event) != kEvents.end();
}

Result<WebhookInput> NormaliseWebhookInput(WebhookInput in, const WebhookTargetRules& rules) {
  if (in.url.empty()) return Error::Invalid("url", "is required");
  if (in.url.size() > kMaxUrlLength) return Error::Invalid("url", "is longer than 2000 characters");
  auto url = boost::urls::parse_absolute_uri(in.url);
  if (!url) return Error::Invalid("url", "is not an absolute URL");
  auto scheme = url->scheme();
  if (scheme != "https" && scheme != "http") return Error::Invalid("url", "must be an https URL");
  if (scheme == "http" && !rules.allow_http) {
    return Error::Invalid("url", "must be https (this server does not allow plain http webhooks)");
  }
  if (url->encoded_host().empty()) return Error::Invalid("url", "has no host");
  if (url->has_userinfo()) return Error::Invalid("url", "must not carry a user name or password");
  if (url->has_fragment()) return Error::Invalid("url", "must not have a fragment");
  auto literal = IsPublicLiteral(url->encoded_host());
  if (literal && !*literal && !rules.allow_private) {
    return Error::Invalid("url", "is a loopback, private, link-local or reserved address");
  }
  if (in.events.empty()) return Error::Invalid("events", "name at least one event");
  for (const auto& e : in.events) {
    if (!IsWebhookEvent(e)) {
      return Error::Invalid("events", "'" + e +
                                          "' is not an event (alert.raised, alert.updated, alert.resolved, "
                                          "alert.cancelled, answer.recorded, escalation.step, case.ask)");
    }
  }
  std::sort(in.events.begin(), in.events.end());
  in.events.erase(std::unique(in.events.begin(), in.events.end()), in.events.end());
  return in;
}

}  // namespace tocsin
