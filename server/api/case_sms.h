// DETAINED <where> by SMS (issue 13): the person of a case, texting the network's number from
// the case's own phone, records a `detained` event (actor "sms") and so raises the detention
// alert to the case's contacts (engine/case_alerts.h). The word is any of the [reports]
// `detained` words of the shipped languages (message/report_words.h). They are answered
// [cases] detained_received in the case's language.
//
// A DETAINED from any other number is not a case's: the report and reply paths take it (it is
// kept for coordinators). A repeated webhook (the same MessageSid) records nothing and gets no
// answer. Where they are held is sealed in the event; nothing of the text is logged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "dispatch/model/reply_decision.h"
#include "server/app.h"

namespace tocsin {

// nullopt: not a case's message. Else the texts to answer with (none for a repeat). `sms` must
// outlive the call.
boost::asio::awaitable<std::optional<std::vector<std::string>>> TakeCaseSms(App& app, const InboundSms* sms);

}  // namespace tocsin
