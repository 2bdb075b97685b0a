#include "server/api/routes.h"

namespace tocsin {

void AddAllRoutes(http::Router& router, App& app) {
  AddHealthRoutes(router, app);
  AddNetworkRoutes(router, app);
  AddTokenRoutes(router, app);
  AddAuditRoutes(router, app);
  AddMemberRoutes(router, app);
  AddAreaRoutes(router, app);
  AddAlertRoutes(router, app);
  AddPolicyRoutes(router, app);
  AddTreeRoutes(router, app);
  AddEventRoutes(router, app);
  AddTwilioRoutes(router, app);
  AddClockRoutes(router, app);
  AddOrganisationRoutes(router, app);
  AddWebhookRoutes(router, app);
  AddOrganisationEmailRoutes(router, app);
  AddInboundRoutes(router, app);
  AddSessionRoutes(router, app);
  AddConsoleRoutes(router, app);
}

}  // namespace tocsin
