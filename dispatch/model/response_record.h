// An answer to an alert as it is stored: written by the delivery writer's group commit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tocsin {

struct ResponseRecord {
  std::int64_t alert_id = 0;
  std::int64_t network_id = 0;
  std::int64_t member_id = 0;
  std::string answer;                      // going, cannot, text
  std::optional<std::string> text_sealed;  // free text, sealed (binary)
  std::optional<std::string> provider_id;  // inbound MessageSid
};

}  // namespace tocsin
