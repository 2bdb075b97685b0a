// Email benchmark (prints figures; asserts nothing about speed). Plain main(), a few seconds.
//
// 1,000 alert emails rendered in four languages (message/email_text.h), built (RFC 5322,
// quoted-printable) and sent through the EmailChannel and SmtpClient (libcurl SMTP on the curl
// multi client) to the fake SMTP relay on loopback, one scenario per cap on emails in flight.
// Printed per scenario: emails per second (wall), the sending thread's CPU per email (render,
// build, curl and the SMTP exchange on our side: what tocsind would spend), the whole process's
// CPU per email (the fake relay's thread included), and the relay connections opened.
#include <sys/resource.h>
#include <time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "dispatch/channels/email_channel.h"
#include "dispatch/message/email_text.h"
#include "dispatch/util/clock.h"
#include "tests/fakes/fake_smtp.h"

using namespace tocsin;
namespace asio = boost::asio;

namespace {

constexpr int kEmails = 1000;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void Scenario(const TemplateSet& templates, int max_in_flight) {
  FakeSmtp fake({});
  SmtpSettings settings;
  settings.url = fake.Url();
  settings.starttls = false;  // loopback fake
  settings.from = "alerts@tocsin.example.org";
  settings.max_connections = max_in_flight;
  asio::io_context ioc;
  Result<std::unique_ptr<SmtpClient>> client = SmtpClient::Create(ioc.get_executor(), settings);
  if (!client.ok()) {
    std::fprintf(stderr, "email_bench: %s\n", client.error().message.c_str());
    std::exit(1);
  }
  SystemClock clock;
  EmailChannelOptions options;
  options.max_in_flight = max_in_flight;
  EmailChannel channel(*client.value(), clock, options);

  const std::vector<std::string> languages = {"en", "fr", "ar", "fa"};
  const std::vector<std::string>& kinds = TemplateSet::Kinds();
  int started = 0, finished = 0, sent = 0;
  std::function<void()> pump = [&] {
    while (started < kEmails) {
      AlertEmailFields f;
      f.kind = kinds[started % kinds.size()];
      f.code = "K7Q4";
      f.areas = "E8";
      f.location = "Mare Street police station";
      f.details = "Held since 6am.";
      f.deadline = "Tue 25 Nov 06:40";
      f.network = "Hackney Anti-Raids";
      Result<EmailText> text =
          RenderAlertEmail(templates, languages[started % languages.size()], f);
      if (!text.ok()) {
        std::fprintf(stderr, "email_bench: %s\n", text.error().message.c_str());
        std::exit(1);
      }
      OutboundMessage m;
      m.delivery_id = started + 1;
      m.network_id = 1;
      m.to = "cases" + std::to_string(started % 50) + "@example.org";
      m.subject = std::move(text->subject);
      m.body = std::move(text->body);
      const auto later = channel.TrySend(m, [&](SendResult r) {
        ++finished;
        sent += r.outcome.kind == SmsOutcome::Kind::kAccepted ? 1 : 0;
        asio::post(ioc, pump);  // a slot is free
      });
      if (later) return;  // at the cap
      ++started;
    }
  };

  const double cpu0 = ThreadCpuSeconds();
  const double process0 = ProcessCpuSeconds();
  const auto wall0 = std::chrono::steady_clock::now();
  asio::post(ioc, pump);
  ioc.run();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = ThreadCpuSeconds() - cpu0;
  const double process = ProcessCpuSeconds() - process0;

  std::printf("== %d emails to the fake SMTP relay, %d in flight\n", kEmails, max_in_flight);
  std::printf("sent: %d of %d (relay recorded %zu)\n", sent, finished, fake.Messages().size());
  std::printf("emails/s (wall): %.0f\n", kEmails / wall);
  std::printf("sender CPU per email: %.0f us (render, build, SMTP client)\n",
              cpu / kEmails * 1e6);
  std::printf("process CPU per email: %.0f us (the fake relay included)\n",
              process / kEmails * 1e6);
  std::printf("relay connections opened: %llu\n",
              static_cast<unsigned long long>(fake.Stats().connections));
}

}  // namespace

int main() {
  Result<TemplateSet> templates = TemplateSet::LoadDirectory(TOCSIN_DEFAULT_TEMPLATES_DIR);
  if (!templates.ok()) {
    std::fprintf(stderr, "email_bench: %s\n", templates.error().message.c_str());
    return 1;
  }
  for (int cap : {4, 16}) Scenario(templates.value(), cap);
  return 0;
}
