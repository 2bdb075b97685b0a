// CaseDone: a supporter's DONE (model/case_actions.h) counted for the case (issue 13), in the
// caller's transaction. The DONE is matched to the ask of an open case alert the member was
// most recently sent (of the alert whose code it names, when it names one): the alert itself
// or one of its schedule's asks. The member counts once per ask (a repeat is answered the same
// and counts nothing more); the action is the ask's ("letters", "calls"), the day the engine
// clock's (UTC). The member is answered [cases] done_thanks in their language with the case's
// count so far.
//
// Not a DONE, not from an active member, or no ask sent to them: nullopt, and the reply path
// takes the message (kept for coordinators). Nothing of the text is logged or stored.
//
// Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/message/templates.h"
#include "dispatch/model/reply_decision.h"
#include "dispatch/store/case_store.h"
#include "dispatch/store/report_store.h"

namespace tocsin {

class CaseDone {
 public:
  CaseDone(const DataCipher& cipher, const TemplateSet& templates)
      : reports_(cipher), cases_(cipher), templates_(templates) {}

  std::optional<std::vector<std::string>> Record(pqxx::work& tx, const InboundSms& sms, std::int64_t now_ms) const;

 private:
  const ReportStore reports_;  // the sender's lookup
  const CaseStore cases_;
  const TemplateSet& templates_;
};

}  // namespace tocsin
