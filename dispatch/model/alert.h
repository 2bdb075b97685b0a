// An alert as the engine and the API see it: what a coordinator asks for (AlertInput), what is
// stored (Alert, with live counts), and the views of its responses and deliveries. Validation of
// a raise is pure and lives here; the store writes, the engine runs it.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "dispatch/model/organisation.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct AlertInput {
  std::string kind;  // raid, detention, removal, other
  std::vector<std::string> areas;
  std::string location;
  std::string details;
  std::vector<std::string> roles = {"responder"};
  bool include_neighbours = false;
  std::optional<std::string> deadline;  // RFC 3339; required for removal
  // The request named an audience: it replaces the first step of the escalation policy.
  bool audience_given = false;
};

struct Alert {
  std::int64_t id = 0;
  std::string code;
  std::string kind;
  std::string status;  // pending_approval, open, resolved, cancelled
  std::vector<std::string> areas;
  std::vector<std::string> roles;
  bool include_neighbours = false;
  // Tiered disclosure (model/disclosure.h): its texts to members carry no location or details.
  bool tiered = false;
  std::string location;
  std::string details;
  std::optional<std::string> deadline;
  std::int64_t recipients = 0;
  std::string created_at;
  std::optional<std::string> ended_at;
  // Past its network's retention: only kind, areas, code, times, warnings and counts remain.
  std::optional<std::string> purged_at;
  // Why a step of the alert reached nobody, oldest first (the alert still stands: a coordinator
  // may be adding members).
  std::vector<std::string> warnings;
  // Deliveries of the alert message by state, and going / cannot (each member's latest answer)
  // and no_answer: members who owe an answer (sent the alert message, or released tree nodes,
  // relay nodes waiting for their caller included) and have given none. organisations_going and
  // organisations_cannot: organisations by their latest answer (never in going: see
  // model/organisation.h's OrganisationResponseView).
  std::map<std::string, std::int64_t> counts;
};

// Who a response or a delivery belongs to, opened for a coordinator's eyes. A deleted member
// (a tombstone) has neither name nor phone.
struct MemberLabel {
  std::optional<std::string> name;
  std::optional<std::string> phone;  // E.164
  bool deleted = false;
};

struct ResponseView {
  std::int64_t id = 0;
  std::int64_t member_id = 0;
  MemberLabel member;
  std::string answer;  // going, cannot, text
  std::optional<std::string> text;
  std::string received_at;
};

struct ResponsePage {
  std::vector<ResponseView> responses;
  std::vector<OrganisationResponseView> organisations;  // on the first page only
  std::optional<std::int64_t> next_cursor;
};

struct DeliveryView {
  std::int64_t id = 0;
  std::int64_t member_id = 0;
  MemberLabel member;
  int seq = 0;
  std::string kind;  // alert, update, resolve, cancel
  std::string channel;
  std::string state;
  std::string language;
  int segments = 0;
  int attempts = 0;
  std::optional<std::string> sender, provider_id, error_code, error_message, sent_at;
  std::string created_at, updated_at;
};

struct DeliveryPage {
  std::vector<DeliveryView> deliveries;
  std::optional<std::int64_t> next_cursor;
};

// How long a provider may hold a message of this kind before dropping it (Twilio's
// ValidityPeriod): a raid alert an hour late is worse than none.
int ValiditySeconds(const std::string& kind);

// One of raid, detention, removal, other; else Error::Invalid naming `field`.
Status CheckAlertKind(std::string_view kind, std::string_view field = "kind");

// Checks `in` (kind, areas, location, details, deadline's form): errors name the field. Areas and
// roles are then made canonical by the caller (CanonicalList).
Status ValidateAlertInput(const AlertInput& in);

// The alert as the API shows it (GET .../alerts/{id}) and webhooks carry it (data.alert): id,
// code, kind, status, areas, audience, location, details, deadline, recipients, counts,
// created_at, ended_at.
boost::json::object AlertJson(const Alert& a);

// The body of a raise's 201 answer: {"id", "code", "status", "recipients"} and, when nobody was
// reached, "warnings". One function, so an inbound webhook's stored answer is the API's.
std::string RaisedAlertJson(const Alert& a);

// A fresh alert code (alert_code.h's alphabet), random.
std::string NewAlertCode();

}  // namespace tocsin
