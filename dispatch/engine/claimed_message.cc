#include "dispatch/engine/claimed_message.h"

#include "dispatch/model/alert.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

std::optional<OutboundMessage> OpenClaimed(const DataCipher& cipher, std::int64_t network_id, ClaimedDelivery& r) {
  auto to = cipher.Open(r.phone_enc, r.report_id ? places::ReportReporter(network_id, r.report_id)
                                                 : places::MemberPhone(network_id, r.member_id));
  auto body = cipher.Open(r.body_enc, r.own_body ? places::DeliveryBody(network_id, r.id)
                                                 : places::MessageBody(network_id, r.alert_id, r.seq, r.language));
  if (!to || !body) return std::nullopt;
  OutboundMessage m;
  if (!r.english_body_enc.empty()) {  // a call's English text (voice_channel.h)
    m.english_body = cipher.Open(r.english_body_enc, places::MessageBody(network_id, r.alert_id, r.seq, "en")).value_or("");
  }
  if (!r.location_enc.empty()) {  // a tiered alert's place, told on a call after 1
    m.place = cipher.Open(r.location_enc, places::AlertLocation(network_id, r.alert_id)).value_or("");
    if (!r.details_enc.empty()) {
      m.place_details = cipher.Open(r.details_enc, places::AlertDetails(network_id, r.alert_id)).value_or("");
    }
  }
  m.delivery_id = r.id;
  m.network_id = network_id;
  m.to = std::move(*to);
  m.body = std::move(*body);
  m.segments = r.segments;
  m.validity_seconds = ValiditySeconds(r.alert_kind);
  m.language = std::move(r.language);
  m.alert_id = r.alert_id;
  m.member_id = r.member_id;
  m.alert_code = std::move(r.alert_code);
  m.alert_kind = r.alert_kind;
  m.recorded = std::move(r.recorded);
  m.relay = r.relay;
  m.attempt = r.attempts;
  return m;
}

}  // namespace tocsin
