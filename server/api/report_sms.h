// Reports taken other than by the reports API's own handlers (issue 12): by SMS for the Twilio
// webhook (whether an inbound message is a report, or the area a reporter was asked for, taken
// in the engine's group commit of reports: engine/report_intake.h, engine/report_queue.h, and
// the texts to answer), and by partners' signed
// webhooks (inbound sources with maps_to "report"). Defined in report_handlers.cc.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "dispatch/engine/report_intake.h"
#include "dispatch/store/report_store.h"
#include "server/api/json_io.h"
#include "server/app.h"

namespace tocsin {

// A report from the API or a partner's signed webhook (`source` "api" or "webhook", `created_by`
// "token:<id>" or "inbound:<name>"), fields as CanonicalReportFields left them, received now on
// the engine's clock. `once`: a key seen before (a partner's repeated webhook-id) makes no second
// report (nullopt). Audited as reports.create.
boost::asio::awaitable<std::optional<Report>> TakeReport(App& app, std::int64_t network_id, const ReportFields* fields,
                                                         const std::string* source, const std::string* created_by,
                                                         const std::string* once);
// The report as the API shows it (never its reporter).
boost::json::object ReportJson(const Report& r);
// A report's fields from a JSON body (kind, areas, location, details; nothing else), checked.
ReportFields ReadReportFields(const JsonBody& body);

// A message that may be a report, taken in the engine's report queue (engine/report_queue.h:
// group-committed, answered once durable). nullopt: not a report; the reply path takes the
// message. Throws ApiError unavailable when the database refused it. `sms` must outlive the call.
boost::asio::awaitable<std::optional<SmsReportAnswer>> TakeSmsReport(App& app, const InboundSms* sms);

}  // namespace tocsin
