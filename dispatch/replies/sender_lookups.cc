#include "dispatch/replies/sender_lookups.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace tocsin {

void SenderLookups::Lookup(const InboundSms& sms, Done done) {
  std::lock_guard lock(mu_);
  waiting_.push_back({sms, std::move(done)});
  MaybeFly();
}

void SenderLookups::MaybeFly() {
  if (waiting_.empty() || flights_ >= kMaxFlights) return;
  auto* batch = new std::vector<Pending>;
  if (waiting_.size() <= kMaxBatch) {
    batch->swap(waiting_);
  } else {
    batch->assign(std::make_move_iterator(waiting_.begin()),
                  std::make_move_iterator(waiting_.begin() + kMaxBatch));
    waiting_.erase(waiting_.begin(), waiting_.begin() + kMaxBatch);
  }
  ++flights_;
  // The batch travels as a plain pointer: GCC 12 mishandles non-trivial coroutine arguments.
  boost::asio::co_spawn(executor_, Fly(batch), boost::asio::detached);
}

boost::asio::awaitable<void> SenderLookups::Fly(std::vector<Pending>* raw) {
  std::unique_ptr<std::vector<Pending>> batch(raw);
  std::vector<InboundSms> messages;
  messages.reserve(batch->size());
  for (const auto& p : *batch) messages.push_back(p.sms);
  std::exception_ptr error;
  std::vector<std::optional<SenderLookup>> found;
  try {
    found = co_await db_.Run([this, &messages](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return replies_.LookupSenders(tx, messages);
    });
  } catch (...) {
    error = std::current_exception();
  }
  {
    std::lock_guard lock(mu_);
    --flights_;
    MaybeFly();
  }
  for (std::size_t i = 0; i < batch->size(); ++i) {
    (*batch)[i].done(error, error ? std::nullopt : std::move(found[i]));
  }
}

}  // namespace tocsin
