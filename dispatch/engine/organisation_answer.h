// OrganisationAnswer: the use case "an organisation answers an alert" (POST
// .../alerts/{id}/responses with the organisation's integration token), in one transaction.
//
//  1. Only an organisation in the alert's audience may answer (any other: NotFound, as if the
//     alert did not exist); only while the alert is open (Conflict "status").
//  2. The answer is going or cannot (Invalid "answer"); the optional note is free text of at
//     most kMaxAnswerNote bytes (Invalid "note"), sealed at rest like a member's.
//  3. It is recorded, audited (no note), and published as answer.recorded with the
//     organisation's slug and name (never the note) in the same commit. It is counted in
//     organisations_going / organisations_cannot and never moves the escalation goal: `going`
//     in a policy counts people going to the scene, and a solicitor on the phone is not a
//     responder at the door (the raid that needs 5 people still needs them).
//
// Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/model/organisation.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct OrganisationAnswerInput {
  std::int64_t alert_id = 0;
  std::int64_t organisation_id = 0;
  std::string answer;
  std::optional<std::string> note;
};

class OrganisationAnswer {
 public:
  OrganisationAnswer(const DataCipher& cipher, const WebhookFanout& webhooks) : cipher_(cipher), webhooks_(webhooks) {}

  Result<OrganisationResponseView> Record(pqxx::work& tx, const Network& net, const OrganisationAnswerInput& in,
                                          const std::string& actor, std::int64_t now_ms) const;

 private:
  const DataCipher& cipher_;
  const WebhookFanout& webhooks_;
};

// The `answer` event of an alert's stream for an organisation's answer.
std::string OrganisationAnswerEventJson(const OrganisationResponseView& r);

}  // namespace tocsin
