#include "dispatch/store/db_pool.h"

#include <spdlog/spdlog.h>

namespace tocsin {

DbPool::DbPool(std::string url, int size, int statement_timeout_ms)
    : url_(std::move(url)),
      size_(size),
      statement_timeout_ms_(statement_timeout_ms),
      threads_(static_cast<std::size_t>(size)) {
  idle_.resize(static_cast<std::size_t>(size));  // connect lazily, on first lease
}

DbPool::~DbPool() { threads_.join(); }

DbPoolStats DbPool::Stats() const {
  std::lock_guard lock(mu_);
  return {size_, in_use_, connects_, broken_};
}

DbPool::Lease::Lease(DbPool& pool) : pool_(pool) {
  {
    std::unique_lock lock(pool_.mu_);
    pool_.free_cv_.wait(lock, [&] { return !pool_.idle_.empty(); });
    conn_ = std::move(pool_.idle_.back());
    pool_.idle_.pop_back();
    ++pool_.in_use_;
  }
  if (conn_ && !conn_->is_open()) conn_.reset();
  if (!conn_) {
    try {
      conn_ = std::make_unique<pqxx::connection>(pool_.url_);
      if (pool_.statement_timeout_ms_ > 0) {
        pqxx::nontransaction(*conn_).exec("SET statement_timeout = " + std::to_string(pool_.statement_timeout_ms_));
      }
      std::lock_guard lock(pool_.mu_);
      ++pool_.connects_;
    } catch (...) {
      // Give the slot back empty so the pool keeps its size; the caller sees the failure.
      std::lock_guard lock(pool_.mu_);
      pool_.idle_.push_back(nullptr);
      --pool_.in_use_;
      pool_.free_cv_.notify_one();
      throw;
    }
  }
}

DbPool::Lease::~Lease() {
  std::lock_guard lock(pool_.mu_);
  if (broken_) {
    ++pool_.broken_;
    spdlog::warn("database connection lost; it will be reopened on next use");
    conn_.reset();
  }
  pool_.idle_.push_back(std::move(conn_));
  --pool_.in_use_;
  pool_.free_cv_.notify_one();
}

}  // namespace tocsin
