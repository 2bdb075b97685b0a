// DbPool: where every libpqxx call runs.
//
// libpqxx is blocking, so it never runs on an io_context thread (that would stall every
// connection the loop serves). A DbPool owns `size` connections and `size` threads; Run() hands
// a function to a pool thread with a connection leased to it, and resumes the awaiting coroutine
// on its own executor when the function returns (or rethrows what it threw).
//
// Invariants:
//  1. A connection is used by one function at a time (leased under mu_).
//  2. A connection that broke (pqxx::broken_connection) is dropped, never reused; the next
//     lease reconnects, so a PostgreSQL restart heals without a process restart.
//  3. Connection failures surface as pqxx::broken_connection from Run()/RunSync(); callers map
//     them to "unavailable".
//
// Thread safety: all public methods are safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>

namespace tocsin {

struct DbPoolStats {
  int size = 0;
  int in_use = 0;
  long long connects = 0;     // connections opened since start
  long long broken = 0;       // connections dropped as broken
};

class DbPool {
 public:
  // `statement_timeout_ms` > 0: every statement on these connections is cancelled past it.
  DbPool(std::string url, int size, int statement_timeout_ms = 0);
  ~DbPool();
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;

  // Runs f(pqxx::connection&) on a pool thread and returns its result to the caller's executor.
  //
  // Callers: capture by reference only (`[&]`). GCC 12 miscompiles a closure temporary that
  // captures a std::string by value inside a co_await expression (the string is freed from the
  // wrong address); the awaiting coroutine's locals outlive the call anyway. For the same reason
  // no closure crosses into a coroutine frame here: `f` is moved to the heap and the pool
  // coroutine gets a plain pointer, which it owns from its first line.
  template <typename F>
  auto Run(F&& f)
      -> boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&, pqxx::connection&>> {
    using Fn = std::decay_t<F>;
    using R = std::invoke_result_t<Fn&, pqxx::connection&>;
    auto* task = new Fn(std::forward<F>(f));
    if constexpr (std::is_void_v<R>) {
      co_await boost::asio::co_spawn(threads_.get_executor(), RunOnPool<Fn, R>(task),
                                     boost::asio::use_awaitable);
    } else {
      // co_spawn needs a default-constructible result: carry R in an optional.
      auto out = co_await boost::asio::co_spawn(threads_.get_executor(), RunOnPool<Fn, R>(task),
                                                boost::asio::use_awaitable);
      co_return std::move(*out);
    }
  }

  // Runs f on the calling thread with a leased connection (CLI, tests, pool threads).
  template <typename F>
  auto RunSync(F& f) -> std::invoke_result_t<F&, pqxx::connection&> {
    Lease lease(*this);
    try {
      return f(lease.conn());
    } catch (const pqxx::broken_connection&) {
      lease.MarkBroken();
      throw;
    }
  }

  DbPoolStats Stats() const;
  const std::string& url() const { return url_; }

 private:
  template <typename Fn, typename R>
  using PoolResult = std::conditional_t<std::is_void_v<R>, void, std::optional<R>>;

  // The pool side of Run(): owns `raw` from its first line.
  template <typename Fn, typename R>
  boost::asio::awaitable<PoolResult<Fn, R>> RunOnPool(Fn* raw) {
    std::unique_ptr<Fn> f(raw);
    if constexpr (std::is_void_v<R>) {
      RunSync(*f);
      co_return;
    } else {
      co_return std::optional<R>(RunSync(*f));
    }
  }

  class Lease {
   public:
    explicit Lease(DbPool& pool);
    ~Lease();
    pqxx::connection& conn() { return *conn_; }
    void MarkBroken() { broken_ = true; }

   private:
    DbPool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // Immutable after construction.
  const std::string url_;
  const int size_;
  const int statement_timeout_ms_;

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // null entries: to be (re)connected
  int in_use_ = 0;
  long long connects_ = 0;
  long long broken_ = 0;

  boost::asio::thread_pool threads_;
};

}  // namespace tocsin
