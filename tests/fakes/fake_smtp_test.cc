#include "tests/fakes/fake_smtp.h"

#include <atomic>
#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "dispatch/util/crypto.h"
#include "tests/support/eventually.h"
#include "tests/support/mime_decode.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A plain blocking SMTP client on one connection, independent of libcurl: sends a line, reads
// the (possibly multi-line) reply. Reads give up after 10 s.
class Dialog {
 public:
  explicit Dialog(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  // The whole reply ("250-a\r\n250 b"), without the final CRLF; empty when the server closed.
  std::string Read() {
    std::string reply;
    for (;;) {
      std::string line = ReadLine();
      if (line.empty()) return reply;
      if (!reply.empty()) reply += "\r\n";
      reply += line;
      if (line.size() < 4 || line[3] != '-') return reply;
    }
  }

  void Send(const std::string& line) { asio::write(socket_, asio::buffer(line + "\r\n")); }

  std::string Command(const std::string& line) {
    Send(line);
    return Read();
  }

  // The reply code of a command.
  int Code(const std::string& line) { return ReplyCode(Command(line)); }

  static int ReplyCode(const std::string& reply) {
    return reply.size() >= 3 ? std::stoi(reply.substr(0, 3)) : 0;
  }

 private:
  std::string ReadLine() {
    boost::system::error_code ec;
    bool done = false;
    std::size_t n = 0;
    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_), "\r\n",
                           [&](boost::system::error_code e, std::size_t got) {
                             ec = e;
                             n = got;
                             done = true;
                           });
    ioc_.restart();
    ioc_.run_for(10s);
    if (!done || ec) return {};
    std::string line = buffer_.substr(0, n - 2);
    buffer_.erase(0, n);
    return line;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  std::string buffer_;
};

// Takes a new session past the greeting and EHLO.
void Greet(Dialog& d) {
  REQUIRE(Dialog::ReplyCode(d.Read()) == 220);
  REQUIRE(d.Code("EHLO client.test") == 250);
}

// MAIL, RCPT, DATA and the data (dot-stuffed here, as a client must); the final reply code.
int SendMessage(Dialog& d, const std::string& from, const std::string& to, const std::string& data) {
  if (int code = d.Code("MAIL FROM:<" + from + ">"); code != 250) return code;
  if (int code = d.Code("RCPT TO:<" + to + ">"); code != 250) return code;
  if (int code = d.Code("DATA"); code != 354) return code;
  std::string stuffed;
  for (std::string line : test::Lines(data)) {
    if (line.starts_with(".")) line = "." + line;
    stuffed += line + "\r\n";
  }
  d.Send(stuffed + ".");
  return Dialog::ReplyCode(d.Read());
}

TEST_CASE("the fake relay speaks SMTP and records what it accepts", "[fake_smtp]") {
  FakeSmtp fake({});
  Dialog d(fake.port());
  CHECK(d.Read().starts_with("220 fake-smtp.test ESMTP"));
  const std::string ehlo = d.Command("EHLO client.test");
  CHECK(ehlo.starts_with("250-fake-smtp.test"));
  CHECK(ehlo.find("250-SIZE ") != std::string::npos);
  CHECK(ehlo.find("8BITMIME") != std::string::npos);
  CHECK(ehlo.find("ENHANCEDSTATUSCODES") != std::string::npos);
  CHECK(ehlo.find("AUTH") == std::string::npos);     // no user configured
  CHECK(ehlo.find("STARTTLS") == std::string::npos);  // TLS is not offered

  const std::string data =
      "Subject: hi\r\n\r\n.leading dot\r\n..two dots\r\nplain\r\n.\r\nnot the end";
  CHECK(SendMessage(d, "alerts@tocsin.example.org", "cases@example.org", data) == 250);
  // A second transaction on the same connection.
  CHECK(d.Code("MAIL FROM:<alerts@tocsin.example.org> SIZE=100") == 250);
  CHECK(d.Code("RCPT TO:<a@example.org>") == 250);
  CHECK(d.Code("RCPT TO:<b@example.org>") == 250);
  CHECK(d.Code("RSET") == 250);  // abandons it
  CHECK(d.Code("NOOP") == 250);
  CHECK(d.Code("VRFY someone") == 252);
  CHECK(d.Code("QUIT") == 221);
  CHECK(d.Read().empty());  // closed

  const std::vector<FakeSmtpMessage> messages = fake.Messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].helo == "client.test");
  CHECK(messages[0].mail_from == "alerts@tocsin.example.org");
  CHECK(messages[0].recipients == std::vector<std::string>{"cases@example.org"});
  CHECK(messages[0].data == data + "\r\n");  // dot-stuffing undone
  CHECK(messages[0].auth_user.empty());
  CHECK(messages[0].id == "FAKE1");
  CHECK(fake.Stats().messages == 1);
  CHECK(fake.Stats().connections == 1);
}

TEST_CASE("the fake relay refuses commands out of order", "[fake_smtp]") {
  FakeSmtp fake({});
  Dialog d(fake.port());
  REQUIRE(Dialog::ReplyCode(d.Read()) == 220);
  CHECK(d.Code("MAIL FROM:<a@example.org>") == 503);  // no EHLO yet
  CHECK(d.Code("HELO client.test") == 250);
  CHECK(d.Code("RCPT TO:<a@example.org>") == 503);  // no MAIL
  CHECK(d.Code("DATA") == 503);
  CHECK(d.Code("MAIL FROM:a@example.org") == 501);  // no angle brackets
  CHECK(d.Code("MAIL FROM:<>") == 250);              // the null sender is fine
  CHECK(d.Code("MAIL FROM:<a@example.org>") == 503);  // nested
  CHECK(d.Code("DATA") == 554);                       // no recipient
  CHECK(d.Code("STARTTLS") == 454);
  CHECK(d.Code("AUTH PLAIN") == 503);  // not offered
  CHECK(d.Code("BOGUS") == 500);
  CHECK(d.Code("MAIL FROM:<a@example.org> SIZE=999999999999") == 503);  // still nested
  CHECK(d.Code("RSET") == 250);
  CHECK(d.Code("MAIL FROM:<a@example.org> SIZE=999999999999") == 552);
  CHECK(fake.Messages().empty());
}

TEST_CASE("the fake relay checks AUTH PLAIN and AUTH LOGIN", "[fake_smtp]") {
  FakeSmtpConfig config;
  config.username = "tocsin";
  config.password = "s3cret";
  FakeSmtp fake(config);

  SECTION("mail before AUTH is refused") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("MAIL FROM:<a@example.org>") == 530);
  }
  SECTION("EHLO offers the mechanisms") {
    Dialog d(fake.port());
    d.Read();
    CHECK(d.Command("EHLO c").find("250-AUTH PLAIN LOGIN") != std::string::npos);
  }
  SECTION("PLAIN with an initial response") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("AUTH PLAIN " + Base64Encode(std::string("\0tocsin\0s3cret", 14))) == 235);
    CHECK(SendMessage(d, "a@example.org", "b@example.org", "x") == 250);
    REQUIRE(fake.Messages().size() == 1);
    CHECK(fake.Messages()[0].auth_user == "tocsin");
  }
  SECTION("PLAIN after a challenge") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("AUTH PLAIN") == 334);
    CHECK(d.Code(Base64Encode(std::string("\0tocsin\0s3cret", 14))) == 235);
    CHECK(d.Code("AUTH PLAIN") == 503);  // once is enough
  }
  SECTION("LOGIN") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Command("AUTH LOGIN") == "334 " + Base64Encode("Username:"));
    CHECK(d.Command(Base64Encode("tocsin")) == "334 " + Base64Encode("Password:"));
    CHECK(d.Code(Base64Encode("s3cret")) == 235);
  }
  SECTION("a wrong password") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("AUTH PLAIN " + Base64Encode(std::string("\0tocsin\0wrong", 13))) == 535);
    CHECK(d.Code("MAIL FROM:<a@example.org>") == 530);
    CHECK(fake.Stats().auth_failures == 1);
  }
  SECTION("an unknown mechanism, a cancelled exchange") {
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("AUTH CRAM-MD5") == 504);
    CHECK(d.Code("AUTH LOGIN") == 334);
    CHECK(d.Code("*") == 501);
  }
}

TEST_CASE("the fake relay injects temporary and permanent failures", "[fake_smtp]") {
  FakeSmtp fake({});
  Dialog d(fake.port());
  Greet(d);

  fake.FailNext(FakeSmtpStage::kRcpt, 1, 451);
  CHECK(d.Command("MAIL FROM:<a@example.org>").starts_with("250"));
  CHECK(d.Command("RCPT TO:<b@example.org>") == "451 4.3.0 Local error in processing, try again later");
  CHECK(d.Code("RCPT TO:<b@example.org>") == 250);  // only the next one
  CHECK(d.Code("RSET") == 250);

  fake.SetRecipientReply("full@example.org", 550);
  CHECK(SendMessage(d, "a@example.org", "full@example.org", "x") == 550);
  CHECK(d.Code("RSET") == 250);
  CHECK(SendMessage(d, "a@example.org", "ok@example.org", "x") == 250);
  fake.SetRecipientReply("full@example.org", 0);
  CHECK(SendMessage(d, "a@example.org", "full@example.org", "x") == 250);

  fake.FailNext(FakeSmtpStage::kDataEnd, 1, 451);
  CHECK(SendMessage(d, "a@example.org", "c@example.org", "refused after the data") == 451);
  fake.FailNext(FakeSmtpStage::kDataEnd, 1, 554);
  CHECK(SendMessage(d, "a@example.org", "c@example.org", "refused after the data") == 554);
  fake.FailNext(FakeSmtpStage::kMail, 1, 553);
  CHECK(d.Code("MAIL FROM:<a@example.org>") == 553);
  fake.FailNext(FakeSmtpStage::kData, 1, 452);
  CHECK(SendMessage(d, "a@example.org", "c@example.org", "x") == 452);

  CHECK(fake.Messages().size() == 2);  // refused messages are not recorded
  CHECK(fake.Stats().rejected == 6);
}

TEST_CASE("the fake relay drops connections and refuses greetings", "[fake_smtp]") {
  FakeSmtp fake({});
  SECTION("dropped at RCPT") {
    fake.DropNext(FakeSmtpStage::kRcpt, 1);
    Dialog d(fake.port());
    Greet(d);
    CHECK(d.Code("MAIL FROM:<a@example.org>") == 250);
    CHECK(d.Command("RCPT TO:<b@example.org>").empty());  // closed, no reply
    CHECK(fake.Stats().dropped == 1);
    Dialog again(fake.port());
    Greet(again);  // only the next session
    CHECK(SendMessage(again, "a@example.org", "b@example.org", "x") == 250);
  }
  SECTION("dropped after the data") {
    fake.DropNext(FakeSmtpStage::kDataEnd, 1);
    Dialog d(fake.port());
    Greet(d);
    CHECK(SendMessage(d, "a@example.org", "b@example.org", "x") == 0);
    CHECK(fake.Messages().empty());
  }
  SECTION("a 421 greeting closes the connection") {
    fake.FailNext(FakeSmtpStage::kGreeting, 1, 421);
    Dialog d(fake.port());
    CHECK(d.Read().starts_with("421 4.3.2"));
    CHECK(d.Read().empty());
  }
  SECTION("dropped at once") {
    fake.DropNext(FakeSmtpStage::kGreeting, 1);
    Dialog d(fake.port());
    CHECK(d.Read().empty());
  }
}

TEST_CASE("the fake relay is slow for one recipient only", "[fake_smtp]") {
  FakeSmtp fake({});
  fake.SetRecipientDelay("slow@example.org", 1500ms);
  Dialog fast(fake.port());
  Greet(fast);
  Dialog slow(fake.port());
  Greet(slow);
  CHECK(slow.Code("MAIL FROM:<a@example.org>") == 250);
  const auto before = std::chrono::steady_clock::now();
  slow.Send("RCPT TO:<slow@example.org>");
  // Meanwhile another session is served at once.
  CHECK(SendMessage(fast, "a@example.org", "quick@example.org", "x") == 250);
  CHECK(Dialog::ReplyCode(slow.Read()) == 250);
  CHECK(std::chrono::steady_clock::now() - before >= 1500ms);  // the reply was held back
}

TEST_CASE("the fake relay calls on_message and resets", "[fake_smtp]") {
  std::atomic<int> seen{0};
  FakeSmtpConfig config;
  config.on_message = [&](const FakeSmtpMessage& m) { seen += m.id.empty() ? 0 : 1; };
  FakeSmtp fake(config);
  Dialog d(fake.port());
  Greet(d);
  CHECK(SendMessage(d, "a@example.org", "b@example.org", "x") == 250);
  test::Eventually([&] { return seen.load() == 1; }, "on_message");
  CHECK(fake.StatsJson() ==
        R"({"connections":1,"messages":1,"rejected":0,"dropped":0,"auth_failures":0})");
  fake.Reset();
  CHECK(fake.Messages().empty());
  CHECK(fake.Stats().messages == 0);
}

}  // namespace
}  // namespace tocsin
