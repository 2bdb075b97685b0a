// The words of an alert email to an organisation (a legal-aid group, bail support, an MP's
// caseworker), in the organisation's language, from config/templates/<lang>.toml ([email] and
// [email.<kind>], see templates.h).
//
// Subject: "[Tocsin] Detention — E8 — K7Q4" (kind, areas, code). Body: what happened, where,
// the details, the deadline for removals, what is asked of them, and how to answer: a link to
// the answer endpoint for their integration when there is one, else to reply to the network's
// coordinators directly (nobody reads replies to the email itself).
//
// Pure; safe from any thread. BuildEmail (email_message.h) turns the result into a message.
#pragma once

#include <string>
#include <string_view>

#include "dispatch/message/templates.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct AlertEmailFields {
  std::string kind;      // raid, detention, removal, other
  std::string code;      // the alert's code, "K7Q4"
  std::string areas;     // "E8, SE15"; when empty the subject names the location instead
  std::string location;
  std::string details;   // may be empty
  std::string deadline;  // removal: the flight, as the network writes it; else may be empty
  std::string network;   // the network's name
  std::string answer_link;  // https URL to answer through, or empty: "reply to the coordinator"
};

struct EmailText {
  std::string subject;  // one line
  std::string body;     // lines ended by "\n"
};

// The subject and body in `language` (else "en"). Errors as TemplateSet::RenderEmail's; a
// subject that would hold a line break (a field with one in it) is Error::Invalid "subject".
Result<EmailText> RenderAlertEmail(const TemplateSet& templates, std::string_view language,
                                   const AlertEmailFields& fields);

}  // namespace tocsin
