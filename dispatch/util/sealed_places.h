// Every place a sealed value lives, and the row key it is bound to (DataCipher::Seal binds the
// table, column, row key and network as associated data, so a value copied anywhere else does
// not open). Writers and readers of a column build its place here, so they cannot disagree.
//
//   members.phone_enc, members.name_enc            the member's id
//   alerts.location_enc, alerts.details_enc        the alert's id
//   alert_messages.body_enc                        "<alert id>/<seq>/<language>"
//   deliveries.body_enc (a relay node's call list) the delivery's id
//   deliveries.body_enc (a webhook event)          its webhook-id (message_id, unique per event;
//                                                  one event's rows for several endpoints share it)
//   deliveries.body_enc (an email)                 its message_id ("eml_...", one per alert and
//                                                  organisation; its contact points' rows share it)
//   organisation_emails.address_enc                the contact point's id
//   responses.text_enc                             "<alert id>/<member id>": what this member said
//                                                  about this alert (rows are written in batches
//                                                  before their ids exist)
//   cases.name_enc, phone_enc, reference_enc,      the case's id
//   notes_enc
//   case_events.detail_enc                         the event's id
//   webhook_endpoints.url_enc                      the endpoint's id
//   webhook_endpoints.secret_enc, previous_secret_enc  the endpoint's id, one column name for
//                                                  both (a rotation moves the current secret to
//                                                  previous_secret_enc in SQL)
//   inbound_sources.secret_enc                     the source's name (unique in its network)
//   api_tokens.inner_enc                           the token's id (the unkeyed hash of the token,
//                                                  kept so a rekey can re-key token_hash)
//   stopped_numbers.phone_enc                      the row's id (kept so a rekey can re-key
//                                                  phone_hash; read by nothing else)
//   reports.location_enc, details_enc, reporter_enc  the report's id (reporter_enc: the
//                                                  reporter's number, only to tell them the outcome)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dispatch/util/crypto.h"

namespace tocsin::places {

inline SealPlace MemberPhone(std::int64_t network_id, std::int64_t member_id) {
  return {"members", "phone_enc", std::to_string(member_id), network_id};
}
inline SealPlace MemberName(std::int64_t network_id, std::int64_t member_id) {
  return {"members", "name_enc", std::to_string(member_id), network_id};
}
inline SealPlace AlertLocation(std::int64_t network_id, std::int64_t alert_id) {
  return {"alerts", "location_enc", std::to_string(alert_id), network_id};
}
inline SealPlace AlertDetails(std::int64_t network_id, std::int64_t alert_id) {
  return {"alerts", "details_enc", std::to_string(alert_id), network_id};
}
inline SealPlace MessageBody(std::int64_t network_id, std::int64_t alert_id, int seq, std::string_view language) {
  return {"alert_messages", "body_enc",
          std::to_string(alert_id) + "/" + std::to_string(seq) + "/" + std::string(language), network_id};
}
inline SealPlace DeliveryBody(std::int64_t network_id, std::int64_t delivery_id) {
  return {"deliveries", "body_enc", std::to_string(delivery_id), network_id};
}
inline SealPlace WebhookBody(std::int64_t network_id, std::string_view message_id) {
  return {"deliveries", "webhook_body_enc", std::string(message_id), network_id};
}
inline SealPlace EmailBody(std::int64_t network_id, std::string_view message_id) {
  return {"deliveries", "email_body_enc", std::string(message_id), network_id};
}
inline SealPlace EmailAddress(std::int64_t network_id, std::int64_t email_id) {
  return {"organisation_emails", "address_enc", std::to_string(email_id), network_id};
}
inline SealPlace ResponseText(std::int64_t network_id, std::int64_t alert_id, std::int64_t member_id) {
  return {"responses", "text_enc", std::to_string(alert_id) + "/" + std::to_string(member_id), network_id};
}
inline SealPlace OrganisationNote(std::int64_t network_id, std::int64_t alert_id, std::int64_t organisation_id) {
  return {"organisation_responses", "note_enc", std::to_string(alert_id) + "/" + std::to_string(organisation_id),
          network_id};
}
inline SealPlace EndpointUrl(std::int64_t network_id, std::int64_t endpoint_id) {
  return {"webhook_endpoints", "url_enc", std::to_string(endpoint_id), network_id};
}
inline SealPlace EndpointSecret(std::int64_t network_id, std::int64_t endpoint_id) {
  return {"webhook_endpoints", "secret_enc", std::to_string(endpoint_id), network_id};
}
inline SealPlace InboundSecret(std::int64_t network_id, std::string_view source_name) {
  return {"inbound_sources", "secret_enc", std::string(source_name), network_id};
}

// A case's sealed fields (issue 13), each bound to the case's id.
inline SealPlace CaseName(std::int64_t network_id, std::int64_t case_id) {
  return {"cases", "name_enc", std::to_string(case_id), network_id};
}
inline SealPlace CasePhone(std::int64_t network_id, std::int64_t case_id) {
  return {"cases", "phone_enc", std::to_string(case_id), network_id};
}
inline SealPlace CaseReference(std::int64_t network_id, std::int64_t case_id) {
  return {"cases", "reference_enc", std::to_string(case_id), network_id};
}
inline SealPlace CaseNotes(std::int64_t network_id, std::int64_t case_id) {
  return {"cases", "notes_enc", std::to_string(case_id), network_id};
}
inline SealPlace CaseEventDetail(std::int64_t network_id, std::int64_t event_id) {
  return {"case_events", "detail_enc", std::to_string(event_id), network_id};
}

inline SealPlace TokenInner(std::int64_t network_id, std::int64_t token_id) {
  return {"api_tokens", "inner_enc", std::to_string(token_id), network_id};
}
inline SealPlace StoppedPhone(std::int64_t network_id, std::int64_t row_id) {
  return {"stopped_numbers", "phone_enc", std::to_string(row_id), network_id};
}
// Reports from the street (issue 12).
inline SealPlace ReportLocation(std::int64_t network_id, std::int64_t report_id) {
  return {"reports", "location_enc", std::to_string(report_id), network_id};
}
inline SealPlace ReportDetails(std::int64_t network_id, std::int64_t report_id) {
  return {"reports", "details_enc", std::to_string(report_id), network_id};
}
inline SealPlace ReportReporter(std::int64_t network_id, std::int64_t report_id) {
  return {"reports", "reporter_enc", std::to_string(report_id), network_id};
}

}  // namespace tocsin::places
