// SmtpClient and EmailChannel against the fake SMTP relay (tests/fakes/fake_smtp.h) over
// loopback. The client's io_context runs on the test thread: a round is queued, then run() returns
// once every outcome is in (an idle client keeps no work on the executor).
#include "dispatch/net/smtp_client.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "dispatch/channels/email_channel.h"
#include "dispatch/util/clock.h"
#include "tests/fakes/fake_smtp.h"
#include "tests/support/mime_decode.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Kind = SmsOutcome::Kind;

constexpr const char* kFrom = "alerts@tocsin.example.org";

SmtpSettings SettingsFor(const FakeSmtp& fake) {
  SmtpSettings s;
  s.url = fake.Url();
  s.starttls = false;  // the fake offers no TLS; allowed because it is on loopback
  s.from = kFrom;
  s.timeout = 10s;
  return s;
}

// A channel on a client on the test thread's io_context, talking to `fake`.
struct Rig {
  explicit Rig(const FakeSmtp& fake, SmtpSettings settings, int max_in_flight = 4) {
    Result<std::unique_ptr<SmtpClient>> made = SmtpClient::Create(ioc.get_executor(), settings);
    if (!made.ok()) FAIL(made.error().message);
    client = std::move(made).value();
    EmailChannelOptions options;
    options.max_in_flight = max_in_flight;
    channel = std::make_unique<EmailChannel>(*client, clock, options);
  }
  explicit Rig(const FakeSmtp& fake) : Rig(fake, SettingsFor(fake)) {}

  // Starts sending to `to`; its outcome lands in `outcomes` (in the order outcomes come).
  void Send(std::int64_t id, const std::string& to, const std::string& subject = "Alert K7Q4",
            const std::string& body = "Hello") {
    OutboundMessage m;
    m.delivery_id = id;
    m.network_id = 1;
    m.to = to;
    m.subject = subject;
    m.body = body;
    const auto later = channel->TrySend(m, [this, id](SendResult r) {
      outcomes.push_back({id, std::move(r)});
    });
    REQUIRE_FALSE(later.has_value());
  }

  // Runs until every started message has its outcome.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  const SendResult& Only() {
    REQUIRE(outcomes.size() == 1);
    return outcomes[0].second;
  }

  // Sends one message to `to` in a round of its own; its outcome.
  const SmsOutcome& SendOne(const std::string& to) {
    outcomes.clear();
    Send(1, to);
    Run();
    return Only().outcome;
  }

  asio::io_context ioc;
  ManualClock clock;
  std::unique_ptr<SmtpClient> client;
  std::unique_ptr<EmailChannel> channel;
  std::vector<std::pair<std::int64_t, SendResult>> outcomes;
};

TEST_CASE("an email reaches the relay with its envelope and content", "[smtp]") {
  FakeSmtp fake({});
  Rig rig(fake);
  const std::string body =
      "Hackney Anti-Raids reports that someone has been detained: Mare Street (alert K7Q4).\n"
      ".A line with a leading dot, and one of 120 characters: " + std::string(65, 'x') +
      "\nتُبلغ الشبكة عن احتجاز شخص";
  rig.Send(7, "cases@hackney-law.example", "[Tocsin] Detention — E8 — K7Q4", body);
  rig.Run();

  const SendResult& result = rig.Only();
  CHECK(result.outcome.kind == Kind::kAccepted);
  CHECK(result.sender == kFrom);
  CHECK(result.outcome.provider_id.starts_with("<7."));
  CHECK(result.outcome.provider_id.ends_with("@tocsin.example.org>"));

  const std::vector<FakeSmtpMessage> messages = fake.Messages();
  REQUIRE(messages.size() == 1);
  const FakeSmtpMessage& m = messages[0];
  CHECK(m.mail_from == kFrom);
  CHECK(m.recipients == std::vector<std::string>{"cases@hackney-law.example"});
  CHECK(test::HeaderOf(m.data, "To") == "cases@hackney-law.example");
  CHECK(test::HeaderOf(m.data, "From") == "Tocsin <alerts@tocsin.example.org>");
  CHECK(test::HeaderOf(m.data, "Message-ID") == result.outcome.provider_id);
  CHECK(test::DecodeHeader(test::HeaderOf(m.data, "Subject")) ==
        "[Tocsin] Detention — E8 — K7Q4");
  CHECK(test::HeaderOf(m.data, "Content-Type") == "text/plain; charset=UTF-8");
  CHECK(test::HeaderOf(m.data, "Date").ends_with("+0000"));
  std::string crlf_body;
  for (char c : body) crlf_body += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(test::DecodeQuotedPrintable(m.data.substr(m.data.find("\r\n\r\n") + 4)) ==
        crlf_body + "\r\n");
}

TEST_CASE("several emails share the relay's connections", "[smtp]") {
  FakeSmtp fake({});
  Rig rig(fake, SettingsFor(fake), /*max_in_flight=*/2);
  for (int round = 0; round < 3; ++round) {
    rig.Send(2 * round + 1, "a@example.org");
    rig.Send(2 * round + 2, "b@example.org");
    rig.Run();
  }
  REQUIRE(rig.outcomes.size() == 6);
  for (const auto& [id, r] : rig.outcomes) CHECK(r.outcome.kind == Kind::kAccepted);
  CHECK(fake.Messages().size() == 6);
  CHECK(fake.Stats().connections <= 2);  // kept open between messages
}

TEST_CASE("a temporary refusal is retryable", "[smtp]") {
  FakeSmtp fake({});
  Rig rig(fake);
  SECTION("451 at RCPT") { fake.FailNext(FakeSmtpStage::kRcpt, 1, 451); }
  SECTION("451 after the data") { fake.FailNext(FakeSmtpStage::kDataEnd, 1, 451); }
  SECTION("421 at the greeting") { fake.FailNext(FakeSmtpStage::kGreeting, 1, 421); }
  const SmsOutcome& o = rig.SendOne("cases@example.org");
  CHECK(o.kind == Kind::kTransient);
  CHECK(o.error_code.starts_with("smtp_4"));
  CHECK(o.error_message.find("deferred") != std::string::npos);
  CHECK(o.error_message.find("4.") != std::string::npos);  // the enhanced code
  CHECK(o.error_message.find("example.org") == std::string::npos);
  CHECK(fake.Messages().empty());

  // The retry goes through.
  CHECK(rig.SendOne("cases@example.org").kind == Kind::kAccepted);
}

TEST_CASE("a permanent refusal fails at once with the code", "[smtp]") {
  FakeSmtp fake({});
  Rig rig(fake);
  SECTION("550 for the recipient") {
    fake.SetRecipientReply("gone@example.org", 550);
    const SmsOutcome& o = rig.SendOne("gone@example.org");
    CHECK(o.kind == Kind::kPermanent);
    CHECK(o.error_code == "smtp_550");
    CHECK(o.error_message == "the mail relay refused the recipient (5.1.1)");
  }
  SECTION("554 after the data") {
    fake.FailNext(FakeSmtpStage::kDataEnd, 1, 554);
    const SmsOutcome& o = rig.SendOne("cases@example.org");
    CHECK(o.kind == Kind::kPermanent);
    CHECK(o.error_code == "smtp_554");
    CHECK(o.error_message == "the mail relay refused the message (5.7.1)");
  }
  SECTION("a 5xx to our sender is the relay refusing us: retryable") {
    fake.FailNext(FakeSmtpStage::kMail, 1, 553);
    const SmsOutcome& o = rig.SendOne("cases@example.org");
    CHECK(o.kind == Kind::kTransient);
    CHECK(o.error_code == "smtp_553");
  }
  CHECK(fake.Messages().empty());
}

TEST_CASE("a slow relay times out one email without holding up the others", "[smtp]") {
  FakeSmtp fake({});
  fake.SetRecipientDelay("slow@example.org", 20s);
  SmtpSettings settings = SettingsFor(fake);
  settings.timeout = 1500ms;
  Rig rig(fake, settings);
  rig.Send(1, "slow@example.org");
  for (int i = 2; i <= 4; ++i) rig.Send(i, "fast" + std::to_string(i) + "@example.org");
  rig.Run();
  REQUIRE(rig.outcomes.size() == 4);
  // The three others were answered first, while the slow one was still waiting.
  for (int i = 0; i < 3; ++i) {
    CHECK(rig.outcomes[i].first != 1);
    CHECK(rig.outcomes[i].second.outcome.kind == Kind::kAccepted);
  }
  CHECK(rig.outcomes[3].first == 1);
  CHECK(rig.outcomes[3].second.outcome.kind == Kind::kTransient);
  CHECK(rig.outcomes[3].second.outcome.error_code == "timeout");
  CHECK(fake.Messages().size() == 3);
}

TEST_CASE("a dropped connection or an absent relay is retryable", "[smtp]") {
  SECTION("dropped after the data") {
    FakeSmtp fake({});
    Rig rig(fake);
    fake.DropNext(FakeSmtpStage::kDataEnd, 1);
    CHECK(rig.SendOne("cases@example.org").kind == Kind::kTransient);
    CHECK(fake.Messages().empty());
  }
  SECTION("nobody listening") {
    std::string url;
    {
      FakeSmtp gone({});
      url = gone.Url();
    }
    FakeSmtp fake({});
    SmtpSettings settings = SettingsFor(fake);
    settings.url = url;
    Rig rig(fake, settings);
    const SmsOutcome& o = rig.SendOne("cases@example.org");
    CHECK(o.kind == Kind::kTransient);
    CHECK(o.error_code == "network");
  }
}

TEST_CASE("SMTP AUTH with the configured user", "[smtp]") {
  FakeSmtpConfig config;
  config.username = "tocsin";
  config.password = "s3cret";
  FakeSmtp fake(config);
  SmtpSettings settings = SettingsFor(fake);
  settings.username = "tocsin";
  SECTION("the right password") {
    settings.password = "s3cret";
    Rig rig(fake, settings);
    CHECK(rig.SendOne("cases@example.org").kind == Kind::kAccepted);
    REQUIRE(fake.Messages().size() == 1);
    CHECK(fake.Messages()[0].auth_user == "tocsin");
  }
  SECTION("the right password, PLAIN only") {
    FakeSmtpConfig plain = config;
    plain.auth_mechanisms = "PLAIN";
    FakeSmtp plain_fake(plain);
    SmtpSettings plain_settings = SettingsFor(plain_fake);
    plain_settings.username = "tocsin";
    plain_settings.password = "s3cret";
    Rig rig(plain_fake, plain_settings);
    CHECK(rig.SendOne("cases@example.org").kind == Kind::kAccepted);
    CHECK(plain_fake.Messages().size() == 1);
  }
  SECTION("a wrong password is the relay refusing us: retryable, not the address's fault") {
    settings.password = "wrong";
    Rig rig(fake, settings);
    const SmsOutcome& o = rig.SendOne("cases@example.org");
    CHECK(o.kind == Kind::kTransient);
    CHECK(o.error_code == "smtp_535");
    CHECK(fake.Stats().auth_failures == 1);
    CHECK(fake.Messages().empty());
  }
}

TEST_CASE("STARTTLS required never sends in clear text", "[smtp]") {
  FakeSmtp fake({});  // offers no STARTTLS
  SmtpSettings settings = SettingsFor(fake);
  settings.starttls = true;
  Rig rig(fake, settings);
  const SmsOutcome& o = rig.SendOne("cases@example.org");
  CHECK(o.kind == Kind::kTransient);
  CHECK(o.error_code == "tls");
  CHECK(fake.Messages().empty());
}

TEST_CASE("STARTTLS off is refused for a relay that is not on loopback", "[smtp]") {
  SmtpSettings s;
  s.from = kFrom;
  s.starttls = false;
  auto field = [&](const std::string& url) {
    s.url = url;
    Status status = CheckSmtpSettings(s);
    return status.ok() ? std::string("ok") : status.error().field;
  };
  CHECK(field("smtp://127.0.0.1:2525") == "ok");
  CHECK(field("smtp://127.3.4.5:25") == "ok");
  CHECK(field("smtp://localhost:2525") == "ok");
  CHECK(field("smtp://[::1]:2525") == "ok");
  CHECK(field("smtp://mail.example.org:587") == "email.starttls");
  CHECK(field("smtp://10.0.0.5:25") == "email.starttls");
  CHECK(field("smtp://128.0.0.1:25") == "email.starttls");
  CHECK(field("smtp://[2001:db8::1]:25") == "email.starttls");
  CHECK(field("smtp://localhost.example.org:25") == "email.starttls");
  asio::io_context ioc;
  s.url = "smtp://mail.example.org:587";
  CHECK_FALSE(SmtpClient::Create(ioc.get_executor(), s).ok());
  s.starttls = true;
  CHECK(field("smtp://mail.example.org:587") == "ok");
  CHECK(field("smtps://mail.example.org:465") == "ok");
  CHECK(field("smtps://mail.example.org") == "ok");
  CHECK(SmtpClient::Create(ioc.get_executor(), s).ok());
}

TEST_CASE("SMTP settings are checked", "[smtp]") {
  SmtpSettings s;
  s.from = kFrom;
  auto field = [&](const std::string& url) {
    s.url = url;
    Status status = CheckSmtpSettings(s);
    return status.ok() ? std::string("ok") : status.error().field;
  };
  for (const char* bad : {"", "http://mail.example.org", "smtp://", "smtp://:25",
                          "smtp://mail.example.org:", "smtp://mail.example.org:0",
                          "smtp://mail.example.org:65536", "smtp://mail.example.org:25/x",
                          "smtp://user:pw@mail.example.org:25", "smtp://[::1:25",
                          "smtp://mail example.org"}) {
    INFO(bad);
    CHECK(field(bad) == "email.smtp_url");
  }
  CHECK(field("smtp://mail.example.org:587/") == "ok");
  s.url = "smtp://mail.example.org:587";
  s.from = "Tocsin <alerts@example.org>";
  CHECK(CheckSmtpSettings(s).error().field == "email.from");
  s.from = kFrom;
  s.username = "user";
  CHECK(CheckSmtpSettings(s).error().field == "email.password");
  s.password = "pw";
  CHECK(CheckSmtpSettings(s).ok());
}

TEST_CASE("the relay's answers map to outcomes", "[smtp]") {
  auto interpret = [](MailResponse r) { return SmtpClient::Interpret(r); };
  MailResponse sent;
  sent.sent = true;
  sent.reply = 250;
  CHECK(interpret(sent).kind == SmtpOutcome::Kind::kSent);

  MailResponse rcpt;
  rcpt.reply = 550;
  rcpt.enhanced = "5.1.1";
  rcpt.recipient_refused = true;
  CHECK(interpret(rcpt).kind == SmtpOutcome::Kind::kPermanent);
  CHECK(interpret(rcpt).error_code == "smtp_550");
  CHECK_FALSE(interpret(rcpt).relay_refused);

  MailResponse greeting = rcpt;
  greeting.recipient_refused = false;  // 5xx before any recipient: the relay refuses us
  CHECK(interpret(greeting).kind == SmtpOutcome::Kind::kTransient);
  CHECK(interpret(greeting).relay_refused);

  MailResponse deferred;
  deferred.reply = 452;
  deferred.data_sent = true;
  CHECK(interpret(deferred).kind == SmtpOutcome::Kind::kTransient);
  CHECK(interpret(deferred).error_code == "smtp_452");

  MailResponse timeout;
  timeout.timed_out = true;
  CHECK(interpret(timeout).error_code == "timeout");
  MailResponse refused;
  refused.curl_code = 7;  // CURLE_COULDNT_CONNECT
  CHECK(interpret(refused).kind == SmtpOutcome::Kind::kTransient);
  CHECK(interpret(refused).error_code == "network");
}

TEST_CASE("the channel caps emails in flight and reports one outcome each", "[smtp]") {
  FakeSmtp fake({});
  fake.SetLatency(50ms);
  Rig rig(fake, SettingsFor(fake), /*max_in_flight=*/2);
  rig.Send(1, "a@example.org");
  rig.Send(2, "b@example.org");
  OutboundMessage third;
  third.delivery_id = 3;
  third.to = "c@example.org";
  third.subject = "s";
  third.body = "b";
  bool called = false;
  const auto later = rig.channel->TrySend(third, [&](SendResult) { called = true; });
  REQUIRE(later.has_value());  // at the cap: try again shortly
  CHECK(*later > std::chrono::nanoseconds(0));
  CHECK(rig.channel->InFlight() == 2);
  rig.Run();
  CHECK_FALSE(called);
  CHECK(rig.outcomes.size() == 2);
  CHECK(rig.channel->InFlight() == 0);
  CHECK(rig.channel->name() == "email");

  // A message that cannot be built fails without contacting the relay, once.
  rig.outcomes.clear();
  rig.Send(4, "not an address");
  rig.Send(5, "a@example.org", "two\nlines");
  rig.Run();
  REQUIRE(rig.outcomes.size() == 2);
  for (const auto& [id, r] : rig.outcomes) {
    CHECK(r.outcome.kind == Kind::kPermanent);
    CHECK(r.outcome.error_code == "invalid_email");
  }
  CHECK(fake.Messages().size() == 2);
}

}  // namespace
}  // namespace tocsin
