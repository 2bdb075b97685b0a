// The message a claimed delivery sends (channels/channel.h's OutboundMessage), its sealed parts
// opened: the number (a member's, or a non-member reporter's), the text (the delivery's own, or
// its language's alert message) and, for a call, the English text and a tiered alert's place.
// Shared by the dispatcher (each claim) and Engine::RestoreCall (a call prepared again after a
// restart), so both build a call alike.
#pragma once

#include <cstdint>
#include <optional>

#include "dispatch/channels/channel.h"
#include "dispatch/store/delivery_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// nullopt when the number or the text cannot be opened. Moves `r`'s language, alert code and
// recordings out (its ids, kinds, channel and attempts stay).
std::optional<OutboundMessage> OpenClaimed(const DataCipher& cipher, std::int64_t network_id, ClaimedDelivery& r);

}  // namespace tocsin
