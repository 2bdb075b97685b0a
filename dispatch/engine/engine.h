// Engine: the core of Tocsin, as the server sees it. Entry point of dispatch/.
//
// What it owns: its own io_context and the one thread that runs it, its Clock, its database
// pool (separate from the API's, so a large import or a burst of requests cannot delay a send
// or an answer), the SMS provider and the call provider with their channels (each its own
// limiter: SMS and calls never starve each other) and the calls in progress, the Dispatcher (sending loop and group-commit writer), one
// ScheduledSender each for organisations' webhooks and emails (the SMTP relay's client, when
// [email] is configured), and the Escalator (deadlines and goal checks). Layers below it (model, store, fanout, channels)
// never call back up; the use cases here are the only way in:
//
//   RaiseAlert / UpdateAlert / EndAlert  one transaction each (ApproveAlert, RejectAlert too), then what follows the commit
//                                        (wake the dispatcher, schedule deadlines, forget an
//                                        ended alert's unsent work before answering);
//   RecordInbound                        a reply decided and recorded in a group commit, then
//                                        goals and trees move;
//   TakeSmsReport                        SMS reports taken in group commits (report_queue.h);
//   VerifyReport / AnswerVerification /  a report's verification (report_verification.h): begun or
//   DecideReport                         merged, a verifier's or coordinator's 1/2, a coordinator's
//                                        API decision; then as a raise (or an end) would;
//   RecordCaseEvent / RecordCaseAction   a case's event (its alerts raised, rescheduled, ended)
//                                        and a supporter's DONE (case_alerts.h, case_done.h);
//   AnswerForOrganisation                an organisation's answer (organisation_answer.h), then
//                                        its webhooks and the alert's event stream;
//   ApplyStatus                          a provider's status callback;
//   CallTwiml / AnswerCall               a call in progress (from memory, no database round
//                                        trip): its TwiML, and a key pressed (1 and 2 are
//                                        recorded as RecordInbound records a reply);
//   ApplyCallStatus                      a call's status callback (model/call_outcome.h);
//   Hotline                              a call into a network's number: what the caller hears
//                                        (engine_hotline.cc);
//   TakeCallReport / FetchRecording      the hotline's 5: a recording taken as a report, and
//                                        heard back through the provider (engine_call_in.cc);
//   RestoreCall                          a call's TwiML prepared again after a restart
//                                        (engine_call_restore.cc);
//   AdvanceClock                         tests only (a ManualClock): move time, wait until what
//                                        became due has been handled.
//
// Threading: the use cases are awaitables that may be called from any executor; they resume
// there. Internal state lives on the engine's thread. Stop() drains the dispatcher (requests in
// flight finish and are recorded), the escalator (no task left) and then stops the thread;
// destroy the Engine only after Stop's callback ran (or never Started).
#pragma once

#include <atomic>
#include <chrono>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <set>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "dispatch/channels/call_provider.h"
#include "dispatch/channels/channel.h"
#include "dispatch/channels/prepared_calls.h"
#include "dispatch/store/hotline_store.h"
#include "dispatch/channels/sandbox_call_provider.h"
#include "dispatch/channels/sms_provider.h"
#include "dispatch/channels/voice_channel.h"
#include "dispatch/engine/alert_use_cases.h"
#include "dispatch/engine/case_alerts.h"
#include "dispatch/engine/case_done.h"
#include "dispatch/engine/case_schedule_fire.h"
#include "dispatch/engine/dispatcher.h"
#include "dispatch/engine/escalation_runner.h"
#include "dispatch/engine/escalator.h"
#include "dispatch/engine/housekeeper.h"
#include "dispatch/engine/organisation_answer.h"
#include "dispatch/engine/report_queue.h"
#include "dispatch/engine/report_verification.h"
#include "dispatch/engine/event_hub.h"
#include "dispatch/engine/webhook_health.h"
#include "dispatch/engine/email_source.h"
#include "dispatch/engine/scheduled_sender.h"
#include "dispatch/engine/webhook_source.h"
#include "dispatch/channels/email_channel.h"
#include "dispatch/channels/webhook_channel.h"
#include "dispatch/fanout/email_fanout.h"
#include "dispatch/fanout/fanout.h"
#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/net/smtp_client.h"
#include "dispatch/net/curl_multi_client.h"
#include "dispatch/model/reply_decision.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/clock.h"

namespace tocsin {

struct EngineOptions {
  std::string database_url;
  int pool_size = 4;
  DispatcherOptions dispatch;  // its writer hooks are the Engine's own
  double time_scale = 1;       // > 1: a ScaledClock (demos)
  bool manual_clock = false;   // a ManualClock moved by AdvanceClock (tests)
  int audit_retention_days = 365;  // audit rows older than this are purged (retention.h)
  // Delays before the 2nd, 3rd... attempts of a webhook or an email, in ms
  // (webhooks.retry_schedule).
  std::vector<std::int64_t> retry_schedule_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000};
  ScheduledSenderOptions webhooks;        // organisations' endpoints: claims and polling
  WebhookChannelOptions webhook_channel;  // timeout, per-endpoint cap, allowed targets
  // testing.report_code_seed: > 0, new reports' codes come from a generator of that seed
  // (model/report.h SeededReportCodes; tests); 0: random.
  std::uint64_t report_code_seed = 0;
  // [email]: the operator's SMTP relay; nullopt: email deliveries fail with
  // "email_not_configured" (contact points may still be added).
  std::optional<SmtpSettings> email;
  EmailChannelOptions email_channel;
  ScheduledSenderOptions emails;
  // server.public_url: the answer link in an email (empty: none).
  std::string public_url;
  // Calls (twilio.calls_per_second, twilio.max_calls_in_flight, voice.timeout); voice_url is
  // {public_url}/twilio/voice.
  VoiceChannelOptions voice;
};

// The hotline (Engine::Hotline): at most this many alerts' TwiML held at once, each forgotten
// this long after the call came in (an inbound call has no status callback of ours).
inline constexpr std::size_t kHotlineCapacity = 2000;
inline constexpr auto kHotlineTtl = std::chrono::minutes(30);

using SmsProviderFactory = std::function<std::unique_ptr<SmsProvider>(boost::asio::any_io_executor)>;
// The call provider on the engine's executor; a sandbox plays its callee through `simulate`.
using CallProviderFactory = std::function<std::unique_ptr<CallProvider>(boost::asio::any_io_executor,
                                                                       SandboxCallProvider::Simulate simulate)>;

class Engine {
 public:
  Engine(EngineOptions options, const DataCipher& cipher, const TemplateSet& templates, EventHub& events,
         const SmsProviderFactory& make_provider, const VoiceScripts& scripts,
         const CallProviderFactory& make_call_provider, const ReportWords& report_words);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the loops and the engine thread.
  void Start();
  // Drains everything (see above), then calls `done` on the engine thread just before it stops.
  void Stop(std::function<void()> done);
  // Waits for the engine thread to end (after Stop).
  void Join();

  boost::asio::awaitable<Result<Alert>> RaiseAlert(const Network& net, const AlertInput& in, const std::string& actor);
  // A raise under a key (store/raise_key.h: a partner's webhook-id, a client's Idempotency-Key):
  // the answer to give, the first one's again for a key seen before (which does nothing else).
  boost::asio::awaitable<Result<RaiseReceipt>> RaiseOnce(const Network& net, const AlertInput& in,
                                                         const std::string& actor, const RaiseKey& key);
  boost::asio::awaitable<Result<std::int64_t>> UpdateAlert(const Network& net, std::int64_t alert_id,
                                                           const std::string& message, const std::string& actor);
  // A second coordinator's decision on an alert waiting for approval (AlertUseCases::Approve and
  // Reject): approving starts it as a raise would (dispatcher woken, deadlines tracked).
  boost::asio::awaitable<Result<Alert>> ApproveAlert(const Network& net, std::int64_t alert_id,
                                                     const std::string& actor);
  boost::asio::awaitable<Result<Alert>> RejectAlert(const Network& net, std::int64_t alert_id,
                                                    const std::string& reason, const std::string& actor);
  // `status`: "resolved" or "cancelled" (a string literal).
  boost::asio::awaitable<Result<Alert>> EndAlert(const Network& net, std::int64_t alert_id, const char* status,
                                                 const std::string& message, const std::string& actor);
  // A case's event (engine/case_alerts.h): recorded, and the detention or removal alert it raises
  // or the case's alerts it resolves started or ended as RaiseAlert and EndAlert do, a removal's
  // schedule tracked (engine/case_schedule_fire.h fires it). Defined in engine_cases.cc.
  boost::asio::awaitable<Result<CaseEventDone>> RecordCaseEvent(const Network& net, std::int64_t case_id,
                                                                const CaseEventInput& in, const std::string& actor);
  // A supporter's DONE (engine/case_done.h), counted for the case: the texts to answer; nullopt:
  // no DONE to count (no transaction for any other reply), or the database is down (the reply
  // path takes it). Defined in engine_cases.cc.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> RecordCaseAction(const InboundSms* sms);
  // An organisation's answer (engine/organisation_answer.h's rules). Defined in
  // engine_answers.cc.
  boost::asio::awaitable<Result<OrganisationResponseView>> AnswerForOrganisation(const Network& net,
                                                                                 OrganisationAnswerInput in,
                                                                                 const std::string& actor);
  // Reports (issue 12; engine_reports.cc). VerifyReport: report `report_id` just became pending:
  // merge it or start its verification (nothing to answer: what it did is in its timeline).
  boost::asio::awaitable<void> VerifyReport(std::int64_t report_id);
  // An inbound SMS that may be a report (ReportIntake::MightTake): taken in the next batch of
  // the report queue (report_queue.h: one transaction and one commit for every report waiting),
  // answered once that committed; a report now pending merged or its verification begun as
  // VerifyReport does. `failed`: the database refused it (not acknowledged). `sms` is owned from
  // here (a plain pointer: see RecordInbound).
  boost::asio::awaitable<SmsReportResult> TakeSmsReport(InboundSms* sms);
  // A member's 1/2 about a report being verified, answered (the texts to reply); nullopt: no
  // such answer, or the database is down (the reply path takes it, and holds it through an
  // outage). Costs no transaction while nothing is verifying (after the first count).
  boost::asio::awaitable<std::optional<std::vector<std::string>>> AnswerVerification(const InboundSms* sms);
  // A coordinator's confirm or dismiss of a report being verified: the alert (started, or ended).
  // NotFound when the report has no verifying alert; Conflict when it is no longer pending.
  boost::asio::awaitable<Result<Alert>> DecideReport(const Network& net, std::int64_t report_id, bool confirm,
                                                     const std::string& actor);
  // nullopt: the database refused this very message (not acknowledged).
  boost::asio::awaitable<std::optional<ReplyDecision>> RecordInbound(InboundSms* sms);
  // Applies a provider status (DeliveryStateFor's) for message `sid`.
  boost::asio::awaitable<void> ApplyStatus(const std::string& sid, const std::string& state,
                                           const std::optional<std::string>& error_code);
  // Calls (defined in engine_calls.cc). Thread-safe, from memory: the TwiML of the call whose
  // Url ends in `token`; nullopt when no such call is in progress.
  std::optional<std::string> CallTwiml(std::string_view token) const;
  // A key pressed on call `token` (its <Gather> action): the TwiML to play next (the
  // confirmation, or the prompt again for 9 and any other key). 1 and 2 are recorded as the
  // member's reply "1 CODE" / "2 CODE" through the same group commit, answer rules, events and
  // escalation as an SMS reply, without waiting for the commit (the call is answered at once;
  // the writer keeps the answer while the database is down). `call_sid` keeps a repeated
  // webhook from counting twice. nullopt: no such call.
  std::optional<std::string> AnswerCall(std::string_view token, std::string_view digits, const std::string& call_sid);
  // A call's status callback (CallStatus): a final status frees the call's slot and moves its
  // delivery (model/call_outcome.h: reached, retried a minute later, or failed, which repairs
  // the alert's trees and backups at once).
  boost::asio::awaitable<void> ApplyCallStatus(const std::string& sid, const std::string& call_status);
  // A call from `from` into the network number `to` (engine_hotline.cc; one database read):
  // the TwiML it plays. An active member of the network hears their open alerts
  // (store/hotline_store.h), newest first, each with the keys of an outbound call (1 and 2 are
  // their answer, as AnswerCall records it), in their language (message/call_lines.h); with none
  // open, the script's hotline_none. Anyone else hears the network's voice message (else the
  // script's hotline_public) in the network's language, and nothing of alerts or members. A
  // number that is no network's: an empty <Response/>. The alerts' TwiML is kept (as calls in
  // progress are, by token) for kHotlineTtl.
  boost::asio::awaitable<std::string> Hotline(std::string from, std::string to);
  // The hotline's report (engine_call_in.cc): the caller of hotline call `token` pressed 5 and
  // recorded `recording_sid`; taken as a report by engine/report_intake.h's TakeVoiceReport
  // (then merged or verified as an SMS report is). The TwiML to play: the thanks, or a goodbye
  // when it was not taken (limited, a repeat, or the caller may not report). nullopt: no
  // hotline call with that token offered 5.
  // `from` and `to` (the request's, signed by Twilio) stand in for a call no longer in memory (a
  // restart): the report is still taken, and the call ends.
  boost::asio::awaitable<std::optional<std::string>> TakeCallReport(std::string token, std::string from,
                                                                    std::string to, std::string recording_sid);
  // A call Tocsin placed whose token CallTwiml and AnswerCall do not know (this process did not
  // place it: a restart) is prepared again from its delivery (engine_call_restore.cc; one
  // database read, off the normal path): true when it was, and they now know it. A call whose
  // alert ended says so. A hotline call's tokens are not kept: its handlers start the call over
  // (Hotline with the request's From and To).
  boost::asio::awaitable<bool> RestoreCall(std::string token);
  // A report's recording from the call provider, with the account's credentials (on the
  // engine's loop; CallProvider::FetchRecording's answers).
  boost::asio::awaitable<Result<RecordingAudio>> FetchRecording(std::string recording_sid);
  // Tests: moves a ManualClock by `ms` and resumes once the escalator has handled what became
  // due (bounded). Returns the new time; nullopt without a manual clock.
  boost::asio::awaitable<std::optional<std::int64_t>> AdvanceClock(std::int64_t ms);

  // Replies received and not yet recorded (RecordInbound waiting on the database: non-zero for
  // long during an outage). Thread-safe.
  long RepliesWaiting() const { return replies_waiting_.load(std::memory_order_relaxed); }
  // Webhook deliveries were queued outside a use case (a manual retry): send them now. Thread-safe.
  void WakeWebhooks() { webhooks_->Wake(); }
  // Email deliveries were queued outside a use case. Thread-safe.
  void WakeEmails() { emails_->Wake(); }

  const Clock& clock() const { return *clock_; }
  DbPool& db() { return db_; }
  const TemplateSet& templates() const { return templates_; }
  // Where new reports' codes come from (EngineOptions::report_code_seed). Thread-safe.
  const ReportCodeSource& report_codes() const { return report_codes_; }
  const VoiceScripts& scripts() const { return scripts_; }

 private:
  // The hotline's answer to `who` (Hotline, after its read): keeps the alerts' TwiML by token.
  std::string HotlineTwiml(const HotlineCaller& who, const std::set<std::string>& recorded, bool may_report,
                           const std::string& from, const std::string& to);
  // A 1 or 2 on a call, as the member's reply `reply`, recorded through the writer (then goals
  // and trees move); a hotline call-in's first records the member's delivery of the alert
  // (store/hotline_store.h AddCallInDelivery), off the call's path (engine_call_in.cc).
  void RecordKey(const PreparedCall& call, InboundSms reply);
  // Alert `alert_id` ended: its calls in progress (placed, and the hotline's) say so from now on.
  void CallsEnded(std::int64_t alert_id) {
    prepared_calls_.EndAlert(alert_id);
    hotline_calls_.EndAlert(alert_id);
  }
  // A call in progress by token: one Tocsin placed, else a hotline call's.
  std::shared_ptr<const PreparedCall> FindCall(std::string_view token) const;
  // Runs `fn` on the engine thread; resumes the caller with its result.
  template <typename R>
  boost::asio::awaitable<R> OnEngine(std::function<R()> fn);
  // After a verification step committed: wake the senders, track or forget deadlines.
  void AfterVerification(const VerificationOutcome& out);
  // The network's stream (GET /v1/networks/{slug}/events): `type` (alert_raised, alert_ended)
  // of alert `a` of network `network_id`. Thread-safe.
  void PublishAlert(std::int64_t network_id, const char* type, const Alert& a);

  // The sandbox's callee (SandboxCallProvider): hears the call, presses 1, hangs up.
  void SimulateCall(const CallRequest& call, const std::string& sid);
  boost::asio::awaitable<void> PlaySandboxCall(std::string token, std::string sid, std::int64_t delivery_id);
  // Deliveries to organisations (webhooks, email) may have been queued: claim them now.
  void WakeOrganisations() {
    webhooks_->Wake();
    emails_->Wake();
  }

  std::atomic<long> replies_waiting_{0};
  // Alerts verifying now, as this process changed them, once counted_ (the first answer counts
  // them from the database). Never below the truth but in a restart's first instants: while it
  // is 0, replies skip the verification lookup.
  std::atomic<long> verifying_{0};
  std::atomic<bool> verifying_counted_{false};
  const EngineOptions options_;
  const DataCipher& cipher_;
  const TemplateSet& templates_;
  EventHub& events_;

  std::unique_ptr<Clock> clock_;
  ManualClock* manual_clock_ = nullptr;  // clock_, when manual
  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  const ReplyService replies_;
  const Fanout fanout_;
  const EmailFanout email_fanout_;
  const WebhookFanout webhook_fanout_;
  const EscalationRunner runner_;
  const AlertUseCases alerts_;
  const ReportVerification verification_;
  const ReportCodeSource report_codes_;  // before intake_
  const ReportIntake intake_;
  const CaseScheduleFire case_schedule_;
  const CaseDone case_done_;
  const OrganisationAnswer organisation_answer_;
  const WebhookHealth webhook_health_;
  const AlertStore alert_store_;  // the Housekeeper's reads
  std::unique_ptr<SmsProvider> provider_;
  std::unique_ptr<Channel> sms_;
  // Calls in progress (thread-safe): the voice channel adds, the call webhooks read.
  PreparedCalls prepared_calls_;
  // The hotline's calls in progress, apart: they take no slot of the calls Tocsin places.
  PreparedCalls hotline_calls_;
  const VoiceScripts& scripts_;
  std::unique_ptr<CallProvider> call_provider_;
  std::unique_ptr<Channel> voice_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<CurlMultiClient> webhook_client_;
  std::unique_ptr<Channel> webhook_channel_;
  const WebhookSource webhook_source_;
  std::unique_ptr<ScheduledSender> webhooks_;  // after the dispatcher: it writes through its writer
  std::unique_ptr<SmtpClient> smtp_;           // null without [email]
  std::unique_ptr<Channel> email_channel_;     // EmailChannel, or UnconfiguredEmailChannel
  const EmailSource email_source_;
  std::unique_ptr<ScheduledSender> emails_;    // as webhooks_
  std::unique_ptr<Escalator> escalator_;
  std::unique_ptr<Housekeeper> housekeeper_;
  std::unique_ptr<ReportQueue> report_queue_;
  std::thread thread_;
  // Last: destroyed first, so its threads are joined while everything a job may touch (the
  // writer's hooks, the escalator, the use cases, the io_context it resumes on) still lives.
  DbPool db_;
};

}  // namespace tocsin
