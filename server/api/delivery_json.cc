#include "server/api/delivery_json.h"

#include <boost/json.hpp>

#include "server/api/json_io.h"
#include "server/api/path_ids.h"

namespace tocsin {

namespace json = boost::json;

namespace {

json::value OptInt(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

}  // namespace

json::object DeliveryToJson(const WebhookDeliveryView& d, ContactKind kind) {
  json::object o{{"id", d.id},
                 {"alert_id", d.alert_id},
                 {"type", d.event_type},
                 {"webhook_id", d.message_id},
                 {"state", d.state},
                 {"attempts", d.attempts},
                 {"http_status", OptInt(d.http_status)},
                 {"latency_ms", OptInt(d.latency_ms)},
                 {"error_code", OptJson(d.error_code)},
                 {"error_message", OptJson(d.error_message)},
                 {"sent_at", OptJson(d.sent_at)},
                 {"next_attempt_at", OptJson(d.next_attempt_at)},
                 {"created_at", d.created_at},
                 {"updated_at", d.updated_at}};
  if (kind == ContactKind::kEmail) {
    o.erase("webhook_id");
    o.erase("http_status");
    o.erase("latency_ms");
  }
  return o;
}

json::object DeliveryPageJson(const WebhookDeliveryPage& page, ContactKind kind) {
  json::array items;
  for (const auto& d : page.deliveries) items.push_back(DeliveryToJson(d, kind));
  return {{"deliveries", std::move(items)}, {"next_cursor", CursorJson(page.next_cursor)}};
}

DeliveryPageQuery ReadDeliveryPageQuery(const http::RequestContext& ctx) {
  auto q = ReadPageQuery(ctx, 100, 1000);
  DeliveryPageQuery out;
  if (q.after_id > 0) out.before_id = q.after_id;
  out.limit = q.limit;
  return out;
}

}  // namespace tocsin
