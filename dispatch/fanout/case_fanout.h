// CaseFanout: the texts of a case's detention alert (issue 13), each contact given what
// model/case_texts.h lets them see, in their language:
//  - the alert message itself (seq 0, what the campaign tree and any later step of the policy
//    are sent) becomes the campaign text: the reference only when the case is public, never
//    where the person is held;
//  - each member contact of another role (legal, mp, bail, family) whose alert message is
//    queued gets its role's text as its own (sealed per delivery, as a relay node's call list);
//  - when an mp or legal contact lacks consent, the network's coordinators are sent one
//    case_consent SMS naming the case's pseudonym and the roles.
// Runs inside the caller's transaction, after the raise queued step 0. Thread safety: holds
// const references only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/message/templates.h"
#include "dispatch/model/alert.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/case_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class CaseFanout {
 public:
  CaseFanout(const DataCipher& cipher, const TemplateSet& templates)
      : cipher_(cipher), templates_(templates), alerts_(cipher) {}

  // `where`: where the person is held (the detained event's text). Returns how many coordinators
  // were told consent is missing.
  std::int64_t WriteDetentionTexts(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                                   const std::string& where, const std::vector<CaseContact>& contacts) const;

 private:
  std::string DefaultLanguage(const Network& net) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const AlertStore alerts_;
};

}  // namespace tocsin
