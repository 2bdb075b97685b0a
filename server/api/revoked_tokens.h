// RevokedTokens: the ids of the tokens revoked through this process's API, so that what a token
// holds open (a live event stream) closes at once. (App::ended_sessions holds console sessions'
// row ids the same way.) Revocations made elsewhere (the CLI, another
// process) reach open streams through their periodic database check (event_handlers.cc).
//
// Thread safety: every member is safe to call from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace tocsin {

class RevokedTokens {
 public:
  void Add(std::int64_t id) {
    std::lock_guard lock(mu_);
    ids_.insert(id);
  }
  bool Has(std::int64_t id) const {
    std::lock_guard lock(mu_);
    return ids_.count(id) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::int64_t> ids_;
};

}  // namespace tocsin
