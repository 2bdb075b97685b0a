// Engine's calls after a restart: a call Tocsin placed whose TwiML is no longer in memory is
// prepared again from its delivery row (its token names it: channels/call_token.h). Apart from
// engine.cc: GCC 12 crashes compiling larger coroutine files.
#include <spdlog/spdlog.h>

#include "dispatch/channels/call_token.h"
#include "dispatch/engine/claimed_message.h"
#include "dispatch/engine/engine.h"
#include "dispatch/store/delivery_store.h"

namespace tocsin {

boost::asio::awaitable<bool> Engine::RestoreCall(std::string token) {
  const auto parts = CheckCallToken(cipher_, token);
  if (!parts) co_return false;
  const CallTokenParts p = *parts;
  auto found = co_await db_.Run([p](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return FindCallInProgress(tx, p.network_id, p.delivery_id, p.attempt);
  });
  if (!found) co_return false;
  auto m = OpenClaimed(cipher_, p.network_id, found->delivery);
  if (!m) co_return false;
  PreparedCall call = PrepareCall(scripts_, options_.voice, *m, token, found->from);
  if (!found->alert_open) {  // ended while it rang: never read out
    call.over = true;
    call.prompt = call.going = call.cannot = call.ended;
  }
  if (!prepared_calls_.Add(token, std::move(call)) && !prepared_calls_.Find(token)) co_return false;  // full
  if (!found->sid.empty()) prepared_calls_.SetSid(token, found->sid);
  spdlog::info("call of delivery {} prepared again from the database (not in memory: a restart)", p.delivery_id);
  co_return true;
}

}  // namespace tocsin
