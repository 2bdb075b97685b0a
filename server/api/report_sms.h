// Reports by SMS (issue 12) for the Twilio webhook: whether an inbound message is a report (or
// the area a reporter was asked for), taken in one transaction (engine/report_intake.h), and
// the texts to answer. Defined in report_handlers.cc.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "dispatch/engine/report_intake.h"
#include "server/app.h"

namespace tocsin {

// nullopt: not a report; the reply path takes the message. `sms` must outlive the call.
boost::asio::awaitable<std::optional<SmsReportAnswer>> TakeSmsReport(App& app, const InboundSms* sms);

}  // namespace tocsin
