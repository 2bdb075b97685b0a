#include "dispatch/model/delivery_state.h"

#include <array>
#include <utility>

namespace tocsin {
namespace {

constexpr std::array<std::pair<DeliveryState, std::string_view>, 7> kNames = {{
    {DeliveryState::kQueued, "queued"},
    {DeliveryState::kSending, "sending"},
    {DeliveryState::kSent, "sent"},
    {DeliveryState::kDelivered, "delivered"},
    {DeliveryState::kFailed, "failed"},
    {DeliveryState::kUndelivered, "undelivered"},
    {DeliveryState::kCancelled, "cancelled"},
}};

}  // namespace

std::string_view DeliveryStateName(DeliveryState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) return name;
  }
  return "queued";
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view s) {
  for (const auto& [state, name] : kNames) {
    if (name == s) return state;
  }
  return std::nullopt;
}

}  // namespace tocsin
