// SenderLookups: finds the senders of inbound SMS in batches.
//
// Every inbound reply needs its sender looked up before it can be answered. One statement per
// reply would make the database the limit of how many answers a second Tocsin takes during a
// big alert; instead, lookups that arrive while kMaxFlights batches are in the database wait and
// go together in the next one (one statement for all, ReplyService::LookupSenders). At low load
// a lookup goes at once, alone: batching never adds a wait of its own.
//
// Thread safety: Lookup() may be called from any thread; `done` runs on a DbPool-resumed
// executor (`executor`), never inline.
#pragma once

#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dispatch/replies/reply_service.h"
#include "dispatch/store/db_pool.h"

namespace tocsin {

class SenderLookups {
 public:
  static constexpr int kMaxFlights = 2;
  static constexpr std::size_t kMaxBatch = 512;

  using Done = std::function<void(std::exception_ptr, std::optional<SenderLookup>)>;

  SenderLookups(boost::asio::any_io_executor executor, DbPool& db, const ReplyService& replies)
      : executor_(executor), db_(db), replies_(replies) {}

  // Looks up `sms`'s sender; `done(error, lookup)` with error set if the database failed.
  void Lookup(const InboundSms& sms, Done done);

 private:
  struct Pending {
    InboundSms sms;
    Done done;
  };
  // Takes up to kMaxBatch waiting lookups into a new flight if one may start. Under mu_.
  void MaybeFly();
  boost::asio::awaitable<void> Fly(std::vector<Pending>* batch);

  boost::asio::any_io_executor executor_;
  DbPool& db_;
  const ReplyService& replies_;

  std::mutex mu_;
  std::vector<Pending> waiting_;  // under mu_
  int flights_ = 0;               // under mu_
};

}  // namespace tocsin
