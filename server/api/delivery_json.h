// A page of an organisation's contact point's deliveries (webhook endpoint or email address) as
// the API shows it: attempts, state, status code, latency, error; never bodies. Newest first:
// `?cursor=` is the id of the last delivery of the previous page, `?limit=` 1..1000 (100).
#pragma once

#include <cstdint>
#include <optional>

#include <boost/json/object.hpp>

#include "dispatch/model/organisation.h"
#include "dispatch/store/webhook_endpoint_store.h"
#include "server/http/types.h"

namespace tocsin {

// An email delivery has no webhook_id, http_status or latency_ms.
boost::json::object DeliveryToJson(const WebhookDeliveryView& d, ContactKind kind = ContactKind::kWebhook);
// {"deliveries": [...], "next_cursor": ...}
boost::json::object DeliveryPageJson(const WebhookDeliveryPage& page, ContactKind kind);

// The page asked for by the request's query.
struct DeliveryPageQuery {
  std::optional<std::int64_t> before_id;
  int limit = 100;
};
DeliveryPageQuery ReadDeliveryPageQuery(const http::RequestContext& ctx);

}  // namespace tocsin
