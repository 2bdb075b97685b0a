// A case's event as the API reads and answers it (issue 13), shared by POST .../cases/{id}/events
// and a partner's signed webhook to an inbound source with maps_to "case" (inbound_handlers.cc).
// Defined in case_event_handlers.cc.
#pragma once

#include <boost/json/object.hpp>

#include "dispatch/engine/case_alerts.h"
#include "dispatch/model/case.h"
#include "server/api/json_io.h"

namespace tocsin {

// The event of `body` (type, and the one detail field of its type: where, details or text;
// deadline), checked: 422 naming the field. The caller limits the body's keys (AllowOnly).
CaseEventInput ReadCaseEvent(const JsonBody& body);
// The answer to a recorded event: the event, the alert it raised, ended or rescheduled, and
// how many schedule entries it set.
boost::json::object CaseEventDoneJson(const CaseEventDone& done);

}  // namespace tocsin
