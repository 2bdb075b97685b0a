// ReportFanout: the SMS of a report's verification (issue 12), as messages of the alert held
// `verifying` for it: the [reports] texts of the templates rendered once per language and
// sealed like every alert message, queued for the verifiers of some areas, for named members,
// for a report's reporters (members or not) or for the network's coordinators. Never names who
// reported.
//
// Every function runs inside a caller's transaction. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/message/templates.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class ReportFanout {
 public:
  ReportFanout(const DataCipher& cipher, const TemplateSet& templates)
      : cipher_(cipher), templates_(templates), alerts_(cipher) {}

  // Renders [reports].`key` with `vars` in every template language and stores it as the alert's
  // next message, of kind `message_kind` (alert_messages' kinds). Returns its seq, 0 when a
  // template could not be rendered (nothing stored).
  int Store(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& message_kind,
            const std::string& key, const std::map<std::string, std::string>& vars) const;
  // Queues message `seq` for the active verifiers of `areas` not yet sent one of the alert's
  // messages. Returns how many.
  std::int64_t ToVerifiers(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                           const std::vector<std::string>& areas) const;
  // Queues message `seq` for the active members `ids`. Returns how many.
  std::int64_t ToMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                         const std::vector<std::int64_t>& ids) const;
  // Queues message `seq` for everyone who made report `report_id` or a report merged into it:
  // members (when active) and, through their number sealed on the report, non-members (in the
  // report's language; never one who texted STOP). Returns how many.
  std::int64_t ToReporters(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                           std::int64_t report_id) const;
  // Queues message `seq` for the network's active coordinators. Returns how many.
  std::int64_t ToCoordinators(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq) const;
  // [reports].`key` in every template language (language -> text; those that cannot render left
  // out).
  std::map<std::string, std::string> Texts(const Network& net, const std::string& key,
                                           const std::map<std::string, std::string>& vars) const;
  // [reports].`key` in `language` (else the network's, else English); "" when it cannot render.
  std::string Text(const Network& net, const std::string& language, const std::string& key,
                   const std::map<std::string, std::string>& vars) const;

 private:
  std::string DefaultLanguage(const Network& net) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const AlertStore alerts_;
};

}  // namespace tocsin
