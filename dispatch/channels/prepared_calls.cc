#include "dispatch/channels/prepared_calls.h"

namespace tocsin {

bool PreparedCalls::Add(const std::string& token, PreparedCall call) {
  std::lock_guard lock(mu_);
  if (calls_.size() >= capacity_) return false;
  return calls_.emplace(token, std::make_shared<const PreparedCall>(std::move(call))).second;
}

std::shared_ptr<const PreparedCall> PreparedCalls::Find(std::string_view token) const {
  std::lock_guard lock(mu_);
  const auto it = calls_.find(token);
  return it == calls_.end() ? nullptr : it->second;
}

void PreparedCalls::SetSid(const std::string& token, const std::string& sid) {
  std::lock_guard lock(mu_);
  if (calls_.find(token) != calls_.end()) tokens_[sid] = token;
}

void PreparedCalls::Remove(std::string_view token) {
  std::lock_guard lock(mu_);
  if (auto it = calls_.find(token); it != calls_.end()) calls_.erase(it);
}

bool PreparedCalls::RemoveBySid(std::string_view sid) {
  std::lock_guard lock(mu_);
  const auto it = tokens_.find(sid);
  if (it == tokens_.end()) return false;
  if (auto call = calls_.find(it->second); call != calls_.end()) calls_.erase(call);
  tokens_.erase(it);
  return true;
}

std::size_t PreparedCalls::size() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}

}  // namespace tocsin
