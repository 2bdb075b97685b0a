// StreamLimits: how many live event streams each token and each network holds open, so that one
// client (or one network's dashboards) cannot take every connection the server has. A stream
// takes a Slot for its life; a request over either cap gets 429.
//
// Thread safety: every member is safe to call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace tocsin {

class StreamLimits {
 public:
  static constexpr int kPerToken = 8;
  static constexpr int kPerNetwork = 64;

  // Held while the stream is open; gives its place back when released.
  using Slot = std::shared_ptr<void>;

  // A slot for a stream of `token_id` (0: the server admin, capped by network only) in
  // `network_id`, or nullptr when either cap is reached.
  Slot Take(std::int64_t token_id, std::int64_t network_id) {
    std::lock_guard lock(mu_);
    if ((token_id != 0 && by_token_[token_id] >= kPerToken) || by_network_[network_id] >= kPerNetwork) {
      return nullptr;
    }
    if (token_id != 0) ++by_token_[token_id];
    ++by_network_[network_id];
    return Slot(static_cast<void*>(this), [this, token_id, network_id](void*) { Give(token_id, network_id); });
  }

 private:
  void Give(std::int64_t token_id, std::int64_t network_id) {
    std::lock_guard lock(mu_);
    if (token_id != 0 && --by_token_[token_id] == 0) by_token_.erase(token_id);
    if (--by_network_[network_id] == 0) by_network_.erase(network_id);
  }

  std::mutex mu_;
  std::map<std::int64_t, int> by_token_;
  std::map<std::int64_t, int> by_network_;
};

}  // namespace tocsin
