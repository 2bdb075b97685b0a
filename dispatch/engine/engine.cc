#include "dispatch/engine/engine.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/channels/call_token.h"
#include "dispatch/channels/sms_channel.h"
#include "dispatch/message/call_lines.h"
#include "dispatch/channels/unconfigured_email_channel.h"
#include "dispatch/store/status_store.h"

namespace tocsin {

namespace asio = boost::asio;

namespace {

// How long AdvanceClock waits at most for the escalator to settle, and how often it looks.
constexpr int kSettleChecks = 5000;
constexpr auto kSettlePoll = std::chrono::milliseconds(2);

std::unique_ptr<Clock> MakeClock(const EngineOptions& o) {
  if (o.manual_clock) return std::make_unique<ManualClock>();
  if (o.time_scale > 1) return std::make_unique<ScaledClock>(o.time_scale);
  return std::make_unique<SystemClock>();
}

}  // namespace

Engine::Engine(EngineOptions options, const DataCipher& cipher, const TemplateSet& templates, EventHub& events,
               const SmsProviderFactory& make_provider, const VoiceScripts& scripts,
               const CallProviderFactory& make_call_provider, const ReportWords& report_words)
    : options_(std::move(options)),
      cipher_(cipher),
      templates_(templates),
      events_(events),
      clock_(MakeClock(options_)),
      manual_clock_(dynamic_cast<ManualClock*>(clock_.get())),
      work_(asio::make_work_guard(ioc_)),
      replies_(cipher, templates),
      fanout_(cipher, templates, VoicelessLanguages(scripts, templates.Languages())),
      email_fanout_(cipher, templates, options_.public_url),
      webhook_fanout_(cipher, &email_fanout_),
      runner_(fanout_, webhook_fanout_, cipher),
      alerts_(cipher, fanout_, webhook_fanout_, runner_),
      verification_(cipher, templates, alerts_),
      report_codes_(options_.report_code_seed > 0 ? SeededReportCodes(options_.report_code_seed)
                                                  : ReportCodeSource(NewReportCode)),
      intake_(cipher, templates, report_words, report_codes_),
      case_schedule_(cipher, templates, webhook_fanout_),
      case_done_(cipher, templates),
      organisation_answer_(cipher, webhook_fanout_),
      webhook_health_(fanout_, cipher),
      alert_store_(cipher),
      provider_(make_provider(ioc_.get_executor())),
      prepared_calls_(static_cast<std::size_t>(options_.voice.max_calls_in_flight) + 1),
      hotline_calls_(kHotlineCapacity, kHotlineTtl),
      scripts_(scripts),
      webhook_source_(cipher, options_.retry_schedule_ms),
      email_source_(cipher, options_.retry_schedule_ms),
      db_(options_.database_url, options_.pool_size) {
  auto dispatch = options_.dispatch;
  dispatch.writer_hooks.events = &events_;
  dispatch.writer_hooks.replies = &replies_;
  dispatch.writer_hooks.cipher = &cipher_;
  dispatch.writer_hooks.clock = clock_.get();
  dispatch.writer_hooks.webhooks = &webhook_fanout_;
  dispatch.writer_hooks.on_failed = [this](std::int64_t alert_id) { escalator_->OnDeliveryFailed(alert_id); };
  dispatch.writer_hooks.webhook_health = [this](pqxx::work& tx, const std::vector<Transition>& batch,
                                                std::int64_t now_ms) { webhook_health_.Record(tx, batch, now_ms); };
  dispatch.writer_hooks.on_exhausted = [this] { dispatcher_->WakeAll(); };
  sms_ = std::make_unique<SmsChannel>(*provider_, options_.dispatch.default_segments_per_second);
  call_provider_ = make_call_provider(ioc_.get_executor(),
                                      [this](const CallRequest& call, const std::string& sid) { SimulateCall(call, sid); });
  auto voice = options_.voice;
  // A call's token names its delivery under the network's key: a restart can prepare it again.
  voice.call_token = [this](const OutboundMessage& m) {
    return CallToken(cipher_, {m.network_id, m.delivery_id, m.attempt});
  };
  voice_ = std::make_unique<VoiceChannel>(*call_provider_, prepared_calls_, scripts, std::move(voice));
  dispatcher_ = std::make_unique<Dispatcher>(ioc_.get_executor(), db_, cipher_,
                                             std::vector<Channel*>{sms_.get(), voice_.get()}, dispatch);
  webhook_client_ = std::make_unique<CurlMultiClient>(ioc_.get_executor());
  webhook_channel_ = std::make_unique<WebhookChannel>(*webhook_client_, options_.webhook_channel);
  webhooks_ = std::make_unique<ScheduledSender>(ioc_.get_executor(), db_, *clock_, webhook_source_,
                                                *webhook_channel_, dispatcher_->writer(), options_.webhooks);
  if (options_.email) {
    // The settings were checked with the configuration: Create fails only on a bug.
    auto smtp = SmtpClient::Create(ioc_.get_executor(), *options_.email);
    if (!smtp.ok()) throw std::runtime_error("email: " + smtp.error().message);
    smtp_ = std::move(smtp).value();
    email_channel_ = std::make_unique<EmailChannel>(*smtp_, *clock_, options_.email_channel);
  } else {
    email_channel_ = std::make_unique<UnconfiguredEmailChannel>();
  }
  emails_ = std::make_unique<ScheduledSender>(ioc_.get_executor(), db_, *clock_, email_source_, *email_channel_,
                                              dispatcher_->writer(), options_.emails);
  escalator_ = std::make_unique<Escalator>(
      ioc_.get_executor(), db_, *clock_, runner_,
      [this] {
        dispatcher_->WakeAll();
        WakeOrganisations();
      },
      &events_,
      // A timeout that ends a verification leaves verifying_ high (the commit is the escalator's):
      // an overcount only costs replies a lookup.
      [this](pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) {
        return verification_.Fire(tx, timer_id, now_ms);
      },
      [this](pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) {
        return case_schedule_.Fire(tx, timer_id, now_ms);
      });
  housekeeper_ = std::make_unique<Housekeeper>(ioc_.get_executor(), db_, *clock_, alert_store_,
                                               options_.audit_retention_days);
  report_queue_ = std::make_unique<ReportQueue>(
      ioc_.get_executor(), db_,
      [this](pqxx::connection& c, const std::vector<InboundSms>& batch) {
        pqxx::work tx(c);
        auto taken = TakeSmsBatch(tx, intake_, verification_, batch, clock_->NowMs());
        tx.commit();
        return taken;
      },
      [this](const std::vector<TakenSms>& batch) {
        for (const auto& t : batch) {
          for (const auto& e : t.received) events_.Publish(e);
          if (t.begun) AfterVerification(*t.begun);
        }
      });
}

Engine::~Engine() {
  if (thread_.joinable()) {
    ioc_.stop();
    thread_.join();
  }
}

void Engine::Start() {
  if (options_.time_scale > 1) {
    spdlog::warn("escalation.time_scale = {}: every escalation wait runs that much faster (tests and demos only)",
                 options_.time_scale);
  }
  if (manual_clock_) spdlog::warn("testing.manual_clock: time moves only through POST /v1/admin/clock");
  dispatcher_->Start();
  webhooks_->Start();
  emails_->Start();
  escalator_->Start();
  housekeeper_->Start();
  thread_ = std::thread([this] { ioc_.run(); });
}

void Engine::Stop(std::function<void()> done) {
  // First no new sends (requests in flight finish and are recorded: webhooks and emails first,
  // as they write through the dispatcher's writer), then no escalation task left, then the loop
  // ends: nothing posts to the io_context after it stops.
  // Reports being taken are answered first (they may wake the dispatcher).
  report_queue_->Drain([this, done = std::move(done)]() mutable {
    emails_->Drain([this, done = std::move(done)]() mutable {
      webhooks_->Drain([this, done = std::move(done)]() mutable {
        dispatcher_->Drain([this, done = std::move(done)]() mutable {
          escalator_->Drain([this, done = std::move(done)]() mutable {
            housekeeper_->Drain([this, done = std::move(done)] {
              done();
              work_.reset();
              ioc_.stop();
            });
          });
        });
      });
    });
  });
}

void Engine::Join() {
  if (thread_.joinable()) thread_.join();
}

template <typename R>
asio::awaitable<R> Engine::OnEngine(std::function<R()> fn) {
  // The function travels as a plain pointer: GCC 12 mishandles non-trivial arguments that Asio
  // stores in coroutine frames (see DbPool::Run).
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
      [this](auto handler, std::function<R()>* raw) {
        std::shared_ptr<std::function<R()>> f(raw);
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        asio::post(ioc_.get_executor(), [h, ex, f] {
          R r = (*f)();
          asio::post(ex, [h, r = std::move(r)]() mutable { std::move(*h)(std::move(r)); });
        });
      },
      asio::use_awaitable, new std::function<R()>(std::move(fn)));
}

asio::awaitable<Result<Alert>> Engine::RaiseAlert(const Network& net, const AlertInput& in, const std::string& actor) {
  auto raised = co_await db_.Run([&](pqxx::connection& c) -> Result<Raised> {
    pqxx::work tx(c);
    auto r = alerts_.Raise(tx, net, in, actor, clock_->NowMs());
    if (r.ok()) tx.commit();
    return r;
  });
  if (!raised.ok()) co_return raised.error();
  // Committed: the dispatcher may start at once, and the escalation's clock is running (a
  // pending alert has no clock: only its coordinators' notice is queued).
  dispatcher_->Wake(net.id);
  WakeOrganisations();
  if (!raised->pending) {
    escalator_->Track(raised->alert.id, std::move(raised->timers));
    PublishAlert(net.id, "alert_raised", raised->alert);
  }
  co_return std::move(raised->alert);
}

void Engine::PublishAlert(std::int64_t network_id, const char* type, const Alert& a) {
  events_.Publish(AlertNetworkEvent(network_id, type, a.id, a.code, a.kind, a.areas, a.status));
}

asio::awaitable<Result<RaiseReceipt>> Engine::RaiseOnce(const Network& net, const AlertInput& in,
                                                        const std::string& actor, const RaiseKey& key) {
  auto raised = co_await db_.Run([&](pqxx::connection& c) -> Result<Raised> {
    pqxx::work tx(c);
    auto r = alerts_.Raise(tx, net, in, actor, clock_->NowMs(), &key);
    if (r.ok()) tx.commit();
    return r;
  });
  if (!raised.ok()) co_return raised.error();
  if (!raised->repeat) {
    dispatcher_->Wake(net.id);
    WakeOrganisations();
    if (!raised->pending) {
      escalator_->Track(raised->alert.id, std::move(raised->timers));
      PublishAlert(net.id, "alert_raised", raised->alert);
    }
  }
  co_return std::move(*raised->receipt);
}

asio::awaitable<Result<Alert>> Engine::ApproveAlert(const Network& net, std::int64_t alert_id,
                                                    const std::string& actor) {
  // A case's alert is approved to the case's contacts, with their texts and its schedule.
  const CaseAlerts cases(cipher_, templates_, alerts_, webhook_fanout_);
  auto approved = co_await db_.Run([&](pqxx::connection& c) -> Result<Raised> {
    pqxx::work tx(c);
    const auto now_ms = clock_->NowMs();
    const auto step = cases.ContactStep(tx, net, alert_id);
    auto r = alerts_.Approve(tx, net, alert_id, actor, now_ms, step ? &*step : nullptr);
    if (!r.ok()) return r;
    if (step) {
      auto schedule = cases.Approved(tx, net, r->alert, now_ms);
      r->timers.insert(r->timers.end(), schedule.begin(), schedule.end());
    }
    tx.commit();
    return r;
  });
  if (!approved.ok()) co_return approved.error();
  dispatcher_->Wake(net.id);
  WakeOrganisations();
  escalator_->Track(alert_id, std::move(approved->timers));
  PublishAlert(net.id, "alert_raised", approved->alert);
  co_return std::move(approved->alert);
}

asio::awaitable<Result<Alert>> Engine::RejectAlert(const Network& net, std::int64_t alert_id,
                                                   const std::string& reason, const std::string& actor) {
  auto rejected = co_await db_.Run([&](pqxx::connection& c) -> Result<Alert> {
    pqxx::work tx(c);
    auto r = alerts_.Reject(tx, net, alert_id, actor, reason, clock_->NowMs());
    if (r.ok()) tx.commit();
    return r;
  });
  if (rejected.ok()) events_.Publish(alert_id, "alert", AlertEndedEventJson(rejected->status));
  co_return rejected;
}

asio::awaitable<Result<std::int64_t>> Engine::UpdateAlert(const Network& net, std::int64_t alert_id,
                                                          const std::string& message, const std::string& actor) {
  auto queued = co_await db_.Run([&](pqxx::connection& c) -> Result<std::int64_t> {
    pqxx::work tx(c);
    auto n = alerts_.Update(tx, net, alert_id, message, actor, clock_->NowMs());
    if (n.ok()) tx.commit();
    return n;
  });
  if (queued.ok()) {
    dispatcher_->Wake(net.id);
    WakeOrganisations();
  }
  co_return queued;
}

asio::awaitable<Result<Alert>> Engine::EndAlert(const Network& net, std::int64_t alert_id, const char* status,
                                                const std::string& message, const std::string& actor) {
  // Nothing of the alert that is not on the wire may start from here: if the end commits, none of
  // it ever does.
  co_await OnEngine<bool>([this, alert_id] {
    dispatcher_->HoldAlertNow(alert_id);
    return true;
  });
  auto ended = co_await db_.Run([&](pqxx::connection& c) -> Result<Alert> {
    pqxx::work tx(c);
    auto a = alerts_.End(tx, net, alert_id, status, message, actor, clock_->NowMs());
    if (a.ok()) tx.commit();
    return a;
  });
  if (!ended.ok()) {
    co_await OnEngine<bool>([this, alert_id] {
      dispatcher_->ReleaseAlertNow(alert_id);
      return true;
    });
    co_return ended;
  }
  // Before answering: nothing of the alert claimed but unsent may leave after this returns.
  co_await OnEngine<bool>([this, alert_id] {
    dispatcher_->ForgetAlertNow(alert_id);
    return true;
  });
  CallsEnded(alert_id);
  escalator_->Forget(alert_id);
  dispatcher_->Wake(net.id);
  WakeOrganisations();
  events_.Publish(alert_id, "alert", AlertEndedEventJson(ended->status));
  PublishAlert(net.id, "alert_ended", ended.value());
  co_return ended;
}

asio::awaitable<std::optional<ReplyDecision>> Engine::RecordInbound(InboundSms* sms) {
  using Signature = void(std::optional<ReplyDecision>);
  ++replies_waiting_;
  struct Done {
    std::atomic<long>& n;
    ~Done() { --n; }
  } done{replies_waiting_};
  auto decided = co_await asio::async_initiate<const asio::use_awaitable_t<>&, Signature>(
      [this](auto handler, InboundSms* owned) {
        std::unique_ptr<InboundSms> message(owned);
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        // The writer calls back on a pool thread: resume on the request's own executor.
        dispatcher_->RecordInbound(std::move(*message), [h, ex](std::optional<ReplyDecision> d) {
          asio::post(ex, [h, d = std::move(d)]() mutable { std::move(*h)(std::move(d)); });
        });
      },
      asio::use_awaitable, sms);
  if (decided && decided->record && decided->record->answer != "text") {
    escalator_->OnAnswer(decided->record->alert_id);  // going or cannot: goals and trees move
  }
  co_return decided;
}

asio::awaitable<void> Engine::ApplyStatus(const std::string& sid, const std::string& state,
                                          const std::optional<std::string>& error_code) {
  auto applied = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto moved = ApplyStatusCallback(tx, sid, state, error_code, clock_->NowMs());
    tx.commit();
    return moved;
  });
  bool failed = state == "failed" || state == "undelivered";
  // Final: the provider may drop its copy (Twilio: the body is redacted), on the engine's loop
  // where the provider lives. The callback was signed, so the sid is ours even when no delivery
  // of it is recorded yet.
  if (failed || state == "delivered") asio::post(ioc_, [this, sid] { provider_->Forget(sid); });
  for (const auto& d : applied) {
    if (failed) escalator_->OnDeliveryFailed(d.alert_id);
    events_.Publish(d.alert_id, "delivery", DeliveryEventJson(d.delivery_id, d.member_id, state, error_code));
  }
}

asio::awaitable<std::optional<std::int64_t>> Engine::AdvanceClock(std::int64_t ms) {
  if (!manual_clock_) co_return std::nullopt;
  auto now = manual_clock_->Advance(ms);
  asio::steady_timer poll(co_await asio::this_coro::executor);
  for (int i = 0; i < kSettleChecks; ++i) {
    // The jump reaches the timers through a post: look only after it had its turn.
    poll.expires_after(kSettlePoll);
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
    if (co_await OnEngine<bool>([this] { return escalator_->Settled() && housekeeper_->Settled(); })) break;
  }
  co_return now;
}

}  // namespace tocsin
