// WebhookChannel: organisations' endpoints, reached by HTTP POST signed with Standard Webhooks
// (util/standard_webhooks.h) through a CurlMultiClient.
//
// One attempt per TrySend: the event's JSON body with headers webhook-id (the same for every
// attempt), webhook-timestamp (the wall clock's Unix seconds when the attempt starts: receivers
// compare it with their own clock) and webhook-signature (one "v1," entry per key). Outcomes:
//   2xx                         kAccepted (delivered)
//   410                         kPermanent, gone: the endpoint is to be disabled
//   429, 502, 503, 504          kThrottled, retry_after from Retry-After when it gives one
//   any other status (3xx too:  kTransient (redirects are never followed)
//   no redirects), no answer,
//   a refused address
// Targets: https only unless allow_http; every address connected to must be public unless
// allow_private (checked after DNS, util/ip_address.h).
//
// Limiter: at most `per_endpoint` requests in flight per endpoint, so a slow partner holds back
// only its own deliveries; Rate is 0 (a webhook is no SMS segment: the SMS claims ignore it).
//
// Threading: as Channel's. The client and this channel share one executor, where `done` runs.
#pragma once

#include <chrono>
#include <map>

#include "dispatch/channels/channel.h"
#include "dispatch/net/curl_multi_client.h"

namespace tocsin {

struct WebhookChannelOptions {
  std::chrono::milliseconds timeout{15000};
  int per_endpoint = 4;
  bool allow_private = false;
  bool allow_http = false;
};

class WebhookChannel : public Channel {
 public:
  WebhookChannel(CurlMultiClient& client, WebhookChannelOptions options) : client_(client), options_(options) {}

  std::string_view name() const override { return "webhook"; }
  void SetSenders(std::int64_t, const std::vector<SenderConfig>&) override {}
  double Rate(std::int64_t) const override { return 0; }
  std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                  std::function<void(SendResult)> done) override;

  // Whether the endpoint has room for one more request now.
  bool HasRoom(std::int64_t endpoint_id) const;

 private:
  static SendResult Interpret(const HttpResponse& r);

  CurlMultiClient& client_;
  const WebhookChannelOptions options_;
  // Only on the executor.
  std::map<std::int64_t, int> in_flight_;  // by endpoint
};

}  // namespace tocsin
