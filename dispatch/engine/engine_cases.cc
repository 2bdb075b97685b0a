// Engine::RecordCaseEvent and RecordCaseAction, apart from engine.cc: GCC 12 crashes compiling
// larger coroutine files.
#include "dispatch/engine/engine.h"

#include <set>

#include "dispatch/model/case_actions.h"
#include "dispatch/store/case_alert_store.h"

namespace tocsin {

boost::asio::awaitable<Result<CaseEventDone>> Engine::RecordCaseEvent(const Network& net, std::int64_t case_id,
                                                                       const CaseEventInput& in,
                                                                       const std::string& actor) {
  // An event that ends the case's alerts: as EndAlert, nothing of those alerts not on the wire
  // may start from here (the case's open alerts, read first; a race only leaves one unheld).
  std::vector<std::int64_t> ending;
  if (CaseAlerts::Ends(in.type)) {
    auto open = co_await db_.Run([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return OpenCaseAlerts(tx, net.id, case_id);
    });
    for (const auto& a : open) ending.push_back(a.alert_id);
  }
  // Lambdas in this coroutine capture pointers only: GCC 12 miscompiles captured containers.
  const std::vector<std::int64_t>* held = &ending;
  if (!ending.empty()) {
    co_await OnEngine<bool>([this, held] {
      for (auto id : *held) dispatcher_->HoldAlertNow(id);
      return true;
    });
  }
  const CaseAlerts cases(cipher_, templates_, alerts_, webhook_fanout_);
  auto done = co_await db_.Run([&](pqxx::connection& c) -> Result<CaseEventDone> {
    pqxx::work tx(c);
    auto r = cases.Record(tx, net, case_id, in, actor, clock_->NowMs());
    if (r.ok()) tx.commit();
    return r;
  });
  std::set<std::int64_t> ended;
  if (done.ok()) {
    for (const auto& a : done->ended) ended.insert(a.id);
  }
  const std::set<std::int64_t>* gone = &ended;
  if (!ending.empty()) {
    co_await OnEngine<bool>([this, held, gone] {
      for (auto id : *held) {
        if (gone->count(id)) {
          dispatcher_->ForgetAlertNow(id);
        } else {
          dispatcher_->ReleaseAlertNow(id);
        }
      }
      return true;
    });
  }
  if (!done.ok()) co_return done;
  for (const auto& a : done->ended) {
    CallsEnded(a.id);
    escalator_->Forget(a.id);
    events_.Publish(a.id, "alert", AlertEndedEventJson(a.status));
    PublishAlert(net.id, "alert_ended", a);
  }
  if (done->raised && !done->raised->pending) {
    escalator_->Track(done->raised->alert.id, done->raised->timers);
    PublishAlert(net.id, "alert_raised", done->raised->alert);
  }
  // A replaced schedule's old deadlines stay in memory and fire as stale (they are cancelled).
  if (!done->schedule.empty()) escalator_->Track(done->schedule.front().alert_id, done->schedule);
  dispatcher_->Wake(net.id);
  WakeOrganisations();
  co_return done;
}

boost::asio::awaitable<std::optional<std::vector<std::string>>> Engine::RecordCaseAction(const InboundSms* sms) {
  if (!ParseDone(sms->body)) co_return std::nullopt;
  std::optional<std::vector<std::string>> answer;
  try {
    answer = co_await db_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto r = case_done_.Record(tx, *sms, clock_->NowMs());
      if (r) tx.commit();
      return r;
    });
  } catch (const pqxx::broken_connection&) {
    co_return std::nullopt;  // the reply path holds it until the database is back
  }
  co_return answer;
}

}  // namespace tocsin
