// Organisations and their webhook endpoints as the API and the engine see them: what a
// coordinator sends (OrganisationInput, WebhookInput), what is stored (Organisation,
// WebhookEndpoint), and the rules for both. Pure: the store writes, the API calls these first.
//
// Webhook events (the `events` an endpoint subscribes to): alert.raised, alert.updated,
// alert.resolved, alert.cancelled, answer.recorded, escalation.step, case.ask (a case's
// removal schedule asking the organisation, as a contact of the case: fanout/webhook_fanout.h).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

struct OrganisationInput {
  std::optional<std::string> slug, name, language;
  // Absent: unchanged on PATCH, every kind/area on create. An explicit null also means every.
  std::optional<std::optional<std::vector<std::string>>> kinds, areas;
};

struct Organisation {
  std::int64_t id = 0;
  std::string slug, name, language;
  std::optional<std::vector<std::string>> kinds, areas;  // nullopt: every kind / area
  std::string created_at, updated_at;
};

// Checks and canonicalises `in` (errors name the field); on create slug and name are required
// and a missing language becomes `default_language`.
Result<OrganisationInput> NormaliseOrganisationInput(OrganisationInput in, bool create,
                                                     const std::string& default_language);

inline constexpr std::size_t kMaxUrlLength = 2000;

struct WebhookInput {
  std::string url;
  std::vector<std::string> events;
};

// What the URL rules allow: https only unless allow_http; private, loopback, link-local,
// CGNAT and multicast address literals only when allow_private (names are checked again at
// connect time, after DNS).
struct WebhookTargetRules {
  bool allow_http = false;
  bool allow_private = false;
};

// Checks the URL (absolute http(s), a host, no user info, no fragment, at most kMaxUrlLength,
// the rules') and the events (known, at least one; canonical order). Errors name the field.
Result<WebhookInput> NormaliseWebhookInput(WebhookInput in, const WebhookTargetRules& rules);
// One of the webhook events above.
bool IsWebhookEvent(std::string_view event);

struct WebhookEndpoint {
  std::int64_t id = 0;
  std::int64_t organisation_id = 0;
  std::string url;
  std::vector<std::string> events;
  std::string state;  // active, disabled
  std::optional<std::string> disabled_reason;
  std::optional<std::string> previous_secret_until;  // a rotation's old secret still signs
  std::string created_at, updated_at;
};

// An organisation's answer to an alert (POST .../alerts/{id}/responses with its integration
// token), as GET .../alerts/{id}/responses shows it. Counted apart from members' answers
// (counts.organisations_going, organisations_cannot: each organisation's latest answer) and
// never towards a policy step's `until.going`, which counts people going to the scene.
struct OrganisationResponseView {
  std::int64_t id = 0;
  std::int64_t organisation_id = 0;
  std::string slug, name;
  std::string answer;  // going, cannot
  std::optional<std::string> note;
  std::string received_at;
};

inline constexpr std::size_t kMaxAnswerNote = 480;

// One attempt record of a webhook delivery, as GET .../webhooks/{wid}/deliveries shows it (no
// bodies).
struct WebhookDeliveryView {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::string event_type, message_id, state;
  int attempts = 0;
  std::optional<int> http_status, latency_ms;
  std::optional<std::string> error_code, error_message, sent_at, next_attempt_at;
  std::string created_at, updated_at;
};

}  // namespace tocsin
