// The life of one delivery: queued -> sending -> sent -> delivered | failed | undelivered, or
// cancelled before it was handed to a provider. Inside the process a state is this enum; its
// name is what SQL (deliveries.state, delivery_rank()) and JSON carry.
//
// Thread safety: pure functions on values.
#pragma once

#include <optional>
#include <string_view>

namespace tocsin {

enum class DeliveryState { kQueued, kSending, kSent, kDelivered, kFailed, kUndelivered, kCancelled };

std::string_view DeliveryStateName(DeliveryState s);
std::optional<DeliveryState> ParseDeliveryState(std::string_view s);

// Handed to the provider and accepted by it (the member may have read it).
inline bool IsReached(DeliveryState s) { return s == DeliveryState::kSent || s == DeliveryState::kDelivered; }
// The provider could not deliver it.
inline bool IsFailed(DeliveryState s) { return s == DeliveryState::kFailed || s == DeliveryState::kUndelivered; }
// Not yet handed over (it may still be).
inline bool IsUnsent(DeliveryState s) { return s == DeliveryState::kQueued || s == DeliveryState::kSending; }

}  // namespace tocsin
