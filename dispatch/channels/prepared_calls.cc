#include "dispatch/channels/prepared_calls.h"

namespace tocsin {

void PreparedCalls::PruneLocked(Clock::time_point now) {
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (now - it->second.added < max_age_) {
      ++it;
      continue;
    }
    if (!it->second.sid.empty()) tokens_.erase(it->second.sid);
    it = calls_.erase(it);
  }
}

bool PreparedCalls::Add(const std::string& token, PreparedCall call) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (calls_.size() >= capacity_) PruneLocked(now);
  if (calls_.size() >= capacity_) return false;
  return calls_.emplace(token, Entry{std::make_shared<const PreparedCall>(std::move(call)), now, {}}).second;
}

std::shared_ptr<const PreparedCall> PreparedCalls::Find(std::string_view token) const {
  std::lock_guard lock(mu_);
  const auto it = calls_.find(token);
  return it == calls_.end() ? nullptr : it->second.call;
}

void PreparedCalls::SetSid(const std::string& token, const std::string& sid) {
  std::lock_guard lock(mu_);
  if (auto it = calls_.find(token); it != calls_.end()) {
    it->second.sid = sid;
    tokens_[sid] = token;
  }
}

void PreparedCalls::Remove(std::string_view token) {
  std::lock_guard lock(mu_);
  if (auto it = calls_.find(token); it != calls_.end()) {
    if (!it->second.sid.empty()) tokens_.erase(it->second.sid);
    calls_.erase(it);
  }
}

bool PreparedCalls::RemoveBySid(std::string_view sid) {
  std::lock_guard lock(mu_);
  const auto it = tokens_.find(sid);
  if (it == tokens_.end()) return false;
  if (auto call = calls_.find(it->second); call != calls_.end()) calls_.erase(call);
  tokens_.erase(it);
  return true;
}

void PreparedCalls::EndAlert(std::int64_t alert_id) {
  std::lock_guard lock(mu_);
  for (auto& [token, entry] : calls_) {
    if (entry.call->alert_id != alert_id || entry.call->over) continue;
    auto ended = std::make_shared<PreparedCall>(*entry.call);
    ended->over = true;
    ended->prompt = ended->going = ended->cannot = ended->ended;
    entry.call = std::move(ended);
  }
}

std::size_t PreparedCalls::size() {
  std::lock_guard lock(mu_);
  PruneLocked(Clock::now());
  return calls_.size();
}

}  // namespace tocsin
