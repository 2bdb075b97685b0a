#include "server/app.h"

#include <csignal>
#include <functional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/message/call_lines.h"
#include "dispatch/store/key_check.h"
#include "dispatch/store/migrator.h"
#include "server/api/routes.h"
#include "server/http/listener.h"
#include "server/sms_providers.h"

namespace tocsin {

namespace asio = boost::asio;

App::App(Config config_in, DataCipher cipher_in, TemplateSet templates_in)
    : config(std::move(config_in)),
      cipher(std::move(cipher_in)),
      templates(std::move(templates_in)),
      db(config.database.url, config.database.api_pool_size, config.database.api_statement_timeout_ms),
      members(cipher),
      alerts(cipher) {}

namespace {

constexpr auto kDrainLimit = std::chrono::seconds(10);

// Polls until no request is in flight or the drain limit passes, then stops the loop.
// Polls until no request is in flight or the drain limit passes, then calls `then` and stops
// the loop.
void DrainThenStop(asio::io_context& ioc, const http::Router& router,
                   std::shared_ptr<asio::steady_timer> timer,
                   std::chrono::steady_clock::time_point give_up, std::function<void()> then) {
  if (router.InFlight() == 0 || std::chrono::steady_clock::now() >= give_up) {
    if (router.InFlight() != 0) spdlog::warn("drain limit reached with {} requests in flight", router.InFlight());
    then();
    ioc.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([&ioc, &router, timer, give_up, then = std::move(then)](boost::system::error_code) mutable {
    DrainThenStop(ioc, router, timer, give_up, std::move(then));
  });
}

asio::ip::tcp::endpoint ListenEndpoint(const ServerConfig& s) {
  auto host = s.listen_host;
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {asio::ip::make_address(host), s.listen_port};
}

}  // namespace

int Serve(const Config& config) {
  if (config.sms.provider.empty()) {
    spdlog::error("sms.provider: is required to serve: \"twilio\", or \"sandbox\" for a demo (nothing is sent)");
    return 1;
  }
  auto cipher = DataCipher::FromHex(config.security.data_key_hex);
  if (!cipher.ok()) {
    spdlog::error("{}: {}", cipher.error().field, cipher.error().message);
    return 1;
  }
  auto templates = TemplateSet::LoadDirectory(config.sms.templates_dir);
  if (!templates.ok()) {
    spdlog::error("sms.templates_dir: {}", templates.error().message);
    return 1;
  }
  auto report_words = ReportWords::LoadDirectory(config.sms.templates_dir);
  if (!report_words.ok()) {
    spdlog::error("sms.templates_dir: {}", report_words.error().message);
    return 1;
  }
  // What calls say per language ([voice] of the same files).
  auto loaded_scripts = VoiceScripts::LoadDirectory(config.sms.templates_dir);
  if (!loaded_scripts.ok()) {
    spdlog::error("sms.templates_dir: {}", loaded_scripts.error().message);
    return 1;
  }
  const VoiceScripts voice_scripts = std::move(loaded_scripts.value());
  App app(config, std::move(cipher.value()), std::move(templates.value()));
  app.report_words = std::move(report_words.value());
  try {
    auto check = [](pqxx::connection& c) { return PendingMigrations(c); };
    auto pending = app.db.RunSync(check);
    if (!pending.empty()) {
      spdlog::error("the database schema is not current ({} migration(s) pending): run `tocsind migrate`",
                    pending.size());
      return 1;
    }
    auto key_check = [&app](pqxx::connection& c) { return CheckDataKey(c, app.cipher); };
    if (auto s = app.db.RunSync(key_check); !s.ok()) {
      spdlog::error("{}", s.error().message);
      return 1;
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot reach the database (database.url): {}", e.what());
    return 1;
  }

  asio::io_context ioc(config.server.threads);
  http::Router router(app.metrics);
  AddAllRoutes(router, app);
  app.metrics.AddGauge("tocsin_db_pool_size", "API database connections in the pool.",
                       [&app] { return app.db.Stats().size; });
  app.metrics.AddGauge("tocsin_db_pool_in_use", "API database connections leased right now.",
                       [&app] { return app.db.Stats().in_use; });
  app.metrics.AddGauge("tocsin_db_reconnects_total", "Database connections dropped as broken.",
                       [&app] { return static_cast<double>(app.db.Stats().broken); });

  http::HttpLimits limits;
  limits.max_body_bytes = config.server.max_body_bytes;
  limits.max_connections = config.http.max_connections;
  limits.max_connections_per_address = config.http.max_connections_per_address;
  std::unique_ptr<http::Listener> listener;
  try {
    listener = std::make_unique<http::Listener>(ioc, ListenEndpoint(config.server), router, limits);
  } catch (const std::exception& e) {
    spdlog::error("server.listen: cannot listen on {}:{}: {}", config.server.listen_host,
                  config.server.listen_port, e.what());
    return 1;
  }
  app.metrics.AddGauge("tocsin_http_connections", "HTTP connections open now.",
                       [&listener] { return listener->OpenConnections(); });
  app.metrics.AddGauge("tocsin_http_connections_refused_total",
                       "HTTP connections refused by http.max_connections(_per_address).",
                       [&listener] { return static_cast<double>(listener->RefusedConnections()); });
  app.metrics.AddGauge("tocsin_http_accept_failures_total",
                       "Accepts that failed for want of descriptors or memory (then backed off).",
                       [&listener] { return static_cast<double>(listener->AcceptFailures()); });
  // The engine has an event loop (and thread) of its own, so a slow HTTP client never delays
  // a send and the other way round.
  EngineOptions options;
  options.database_url = config.database.url;
  options.pool_size = config.database.pool_size;
  options.dispatch.default_segments_per_second = config.twilio.default_segments_per_second;
  options.dispatch.max_in_flight = config.twilio.max_in_flight;
  options.time_scale = config.escalation_time_scale;
  options.manual_clock = config.manual_clock;
  options.report_code_seed = static_cast<std::uint64_t>(config.report_code_seed);
  options.audit_retention_days = config.audit_retention_days;
  options.retry_schedule_ms = config.webhooks.retry_schedule_ms;
  options.public_url = config.server.public_url;
  if (config.email.enabled()) {
    options.email = config.email.Settings();
    options.email_channel.max_in_flight = config.email.max_in_flight;
  }
  options.webhook_channel.allow_private = config.webhooks.allow_private_targets;
  options.webhook_channel.allow_http = config.webhooks.allow_http;
  options.voice.calls_per_second = config.twilio.calls_per_second;
  options.voice.max_calls_in_flight = config.twilio.max_calls_in_flight;
  options.voice.ring_timeout_seconds = config.voice.timeout_seconds;
  options.voice.voice_url = config.server.public_url + "/twilio/voice";
  options.voice.recording_url = [&app, &config](std::int64_t network_id, std::string_view language,
                                                std::string_view message) {
    return SignedRecordingUrl(app.cipher, config.server.public_url, network_id, language, message);
  };
  Engine engine(options, app.cipher, app.templates, app.events,
                [&config](boost::asio::any_io_executor ex) { return MakeSmsProvider(config, ex); }, voice_scripts,
                [&config](boost::asio::any_io_executor ex, SandboxCallProvider::Simulate simulate) {
                  return MakeCallProvider(config, ex, std::move(simulate));
                },
                app.report_words);
  app.engine = &engine;
  engine.Start();
  app.metrics.AddGauge("tocsin_engine_db_pool_size", "Engine database connections in the pool.",
                       [&engine] { return engine.db().Stats().size; });
  app.metrics.AddGauge("tocsin_engine_db_pool_in_use", "Engine database connections leased right now.",
                       [&engine] { return engine.db().Stats().in_use; });

  listener->Start();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: draining", sig);
    listener->Stop();
    // Requests in flight finish first (an end or an answer they carry still reaches a running
    // engine); then the engine drains: no new sends, provider requests in flight finish and
    // are recorded, no escalation task is left (deadlines are durable: rebuilt at the next start).
    DrainThenStop(ioc, router, std::make_shared<asio::steady_timer>(ioc),
                  std::chrono::steady_clock::now() + kDrainLimit,
                  [&engine] { engine.Stop([] { spdlog::info("engine drained"); }); });
  });

  spdlog::info("tocsind listening on {}:{}", config.server.listen_host, listener->port());
  std::vector<std::thread> threads;
  for (int i = 1; i < config.server.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  engine.Join();
  spdlog::info("tocsind stopped");
  return 0;
}

}  // namespace tocsin
