#include "server/api/routes.h"

#include "server/api/auth.h"

namespace tocsin {

void AddAllRoutes(http::Router& router, App& app) {
  // A token route's large body is read only once its bearer token is known good.
  router.SetTokenCheck([&app](const http::Request& head) -> boost::asio::awaitable<void> {
    co_await Authenticate(app, head);
  });
  AddHealthRoutes(router, app);
  AddNetworkRoutes(router, app);
  AddTokenRoutes(router, app);
  AddAuditRoutes(router, app);
  AddMemberRoutes(router, app);
  AddAreaRoutes(router, app);
  AddAlertRoutes(router, app);
  AddPolicyRoutes(router, app);
  AddTreeRoutes(router, app);
  AddTimelineRoutes(router, app);
  AddEventRoutes(router, app);
  AddTwilioRoutes(router, app);
  AddVoiceRoutes(router, app);
  AddRecordingRoutes(router, app);
  AddClockRoutes(router, app);
  AddOrganisationRoutes(router, app);
  AddWebhookRoutes(router, app);
  AddOrganisationEmailRoutes(router, app);
  AddCaseRoutes(router, app);  // issue 13
  AddCaseEventRoutes(router, app);
  AddInboundRoutes(router, app);
  AddReportRoutes(router, app);
  AddReportVoiceRoutes(router, app);
  AddSessionRoutes(router, app);
  AddConsoleRoutes(router, app);
}

}  // namespace tocsin
