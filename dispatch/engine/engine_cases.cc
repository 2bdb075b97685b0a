// Engine::RecordCaseEvent, apart from engine.cc: GCC 12 crashes compiling larger coroutine files.
#include "dispatch/engine/engine.h"

#include "dispatch/store/case_alert_store.h"

namespace tocsin {

boost::asio::awaitable<Result<CaseEventDone>> Engine::RecordCaseEvent(const Network& net, std::int64_t case_id,
                                                                       const CaseEventInput& in,
                                                                       const std::string& actor) {
  // An event that ends the case's alert: as EndAlert, nothing of that alert not on the wire may
  // start from here (the case's open alert, read first; a race only leaves it unheld).
  std::optional<std::int64_t> ending;
  if (CaseAlerts::Ends(in.type)) {
    ending = co_await db_.Run([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return OpenCaseAlert(tx, net.id, case_id);
    });
  }
  if (ending) {
    const auto id = *ending;
    co_await OnEngine<bool>([this, id] {
      dispatcher_->HoldAlertNow(id);
      return true;
    });
  }
  const CaseAlerts cases(cipher_, templates_, alerts_);
  auto done = co_await db_.Run([&](pqxx::connection& c) -> Result<CaseEventDone> {
    pqxx::work tx(c);
    auto r = cases.Record(tx, net, case_id, in, actor, clock_->NowMs());
    if (r.ok()) tx.commit();
    return r;
  });
  const bool ended = done.ok() && done->ended;
  if (ending) {
    const auto id = *ending;
    co_await OnEngine<bool>([this, id, ended] {
      if (ended) {
        dispatcher_->ForgetAlertNow(id);
      } else {
        dispatcher_->ReleaseAlertNow(id);
      }
      return true;
    });
  }
  if (!done.ok()) co_return done;
  if (done->ended) {
    escalator_->Forget(done->ended->id);
    events_.Publish(done->ended->id, "alert", AlertEndedEventJson(done->ended->status));
    PublishAlert(net.id, "alert_ended", *done->ended);
  }
  if (done->raised && !done->raised->pending) {
    escalator_->Track(done->raised->alert.id, done->raised->timers);
    PublishAlert(net.id, "alert_raised", done->raised->alert);
  }
  dispatcher_->Wake(net.id);
  WakeOrganisations();
  co_return done;
}

}  // namespace tocsin
