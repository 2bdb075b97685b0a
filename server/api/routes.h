// The API's routes, one registration function per resource. Each handler parses the request,
// calls the registry (core) on the DB pool, and renders the result; none holds state.
#pragma once

#include "server/app.h"
#include "server/http/router.h"

namespace tocsin {

void AddHealthRoutes(http::Router& router, App& app);   // /healthz /readyz /metrics
void AddNetworkRoutes(http::Router& router, App& app);  // /v1/networks
void AddTokenRoutes(http::Router& router, App& app);    // /v1/networks/{slug}/tokens
void AddAuditRoutes(http::Router& router, App& app);    // /v1/networks/{slug}/audit
void AddMemberRoutes(http::Router& router, App& app);   // /v1/networks/{slug}/members
void AddAreaRoutes(http::Router& router, App& app);     // /v1/networks/{slug}/areas
void AddAlertRoutes(http::Router& router, App& app);    // /v1/networks/{slug}/alerts
void AddPolicyRoutes(http::Router& router, App& app);   // /v1/networks/{slug}/policies
void AddTreeRoutes(http::Router& router, App& app);     // /v1/networks/{slug}/trees, alerts/{id}/tree
void AddTimelineRoutes(http::Router& router, App& app);  // /v1/networks/{slug}/alerts/{id}/timeline
void AddEventRoutes(http::Router& router, App& app);    // /v1/networks/{slug}/alerts/{id}/events (SSE)
void AddTwilioRoutes(http::Router& router, App& app);   // /twilio/sms, /twilio/status (signed webhooks)
void AddVoiceRoutes(http::Router& router, App& app);    // /twilio/voice[/*], /twilio/voice-status (signed)
void AddRecordingRoutes(http::Router& router, App& app);  // /v1/networks/{slug}/recordings/*, /twilio/recordings/*
void AddClockRoutes(http::Router& router, App& app);    // /v1/admin/clock (tests: manual clock)
void AddOrganisationRoutes(http::Router& router, App& app);  // /v1/networks/{slug}/organisations
void AddWebhookRoutes(http::Router& router, App& app);  // .../organisations/{id}/webhooks
void AddOrganisationEmailRoutes(http::Router& router, App& app);  // .../organisations/{id}/emails
void AddCaseRoutes(http::Router& router, App& app);  // /v1/networks/{slug}/cases (issue 13)
void AddCaseEventRoutes(http::Router& router, App& app);  // .../cases/{id}/events, .../cases/{id}/timeline
void AddInboundRoutes(http::Router& router, App& app);  // .../inbound-sources, .../inbound/{source} (signed)
void AddSessionRoutes(http::Router& router, App& app);  // /v1/session (the console's cookie)
void AddReportRoutes(http::Router& router, App& app);   // /v1/networks/{slug}/reports (issue 12)
void AddReportVoiceRoutes(http::Router& router, App& app);  // .../reports/{id}/recording, PATCH .../reports/{id}
void AddConsoleRoutes(http::Router& router, App& app);  // / and /assets/* (server/console)

// Every route of the server.
void AddAllRoutes(http::Router& router, App& app);

}  // namespace tocsin
