// A network's sender as stored: a number (or, for later channels, an endpoint) and its rate in
// the channel's unit per second (SMS segments).
#pragma once

#include <optional>
#include <string>

namespace tocsin {

struct SenderConfig {
  std::string address;
  std::optional<double> rate;  // nullopt: the channel's default
};

}  // namespace tocsin
