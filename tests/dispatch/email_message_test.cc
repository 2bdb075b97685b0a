#include "dispatch/message/email_message.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dispatch/message/mime_encoding.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/email_address.h"
#include "dispatch/util/utf8.h"
#include "tests/support/mime_decode.h"

namespace tocsin {
namespace {

using test::DecodeHeader;
using test::DecodeQuotedPrintable;
using test::HeaderOf;
using test::Lines;

EmailMessage Sample() {
  EmailMessage m;
  m.from = "alerts@tocsin.example.org";
  m.from_name = "Tocsin";
  m.to = "cases@hackney-law.example";
  m.subject = "[Tocsin] Detention — E8 — K7Q4";
  m.body = "Someone has been detained: Mare Street (alert K7Q4).\n\nPlease tell us.";
  m.language = "en";
  m.date = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  m.message_id = MakeMessageId("42.abc", m.from);
  return m;
}

std::string Built(const EmailMessage& m) {
  Result<std::string> wire = BuildEmail(m);
  if (!wire.ok()) FAIL(wire.error().field << ": " << wire.error().message);
  return std::move(wire).value();
}

// The body after the blank line ending the headers.
std::string BodyOf(const std::string& wire) { return wire.substr(wire.find("\r\n\r\n") + 4); }

TEST_CASE("an alert email has the headers of a plain-text MIME message", "[email]") {
  const std::string wire = Built(Sample());
  CHECK(HeaderOf(wire, "From") == "Tocsin <alerts@tocsin.example.org>");
  CHECK(HeaderOf(wire, "To") == "cases@hackney-law.example");
  CHECK(HeaderOf(wire, "Date") == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(HeaderOf(wire, "Message-ID") == "<42.abc@tocsin.example.org>");
  CHECK(HeaderOf(wire, "MIME-Version") == "1.0");
  CHECK(HeaderOf(wire, "Content-Type") == "text/plain; charset=UTF-8");
  CHECK(HeaderOf(wire, "Content-Transfer-Encoding") == "quoted-printable");
  CHECK(HeaderOf(wire, "Content-Language") == "en");
  CHECK(HeaderOf(wire, "Auto-Submitted") == "auto-generated");
  // The subject is not ASCII (em dashes): encoded-words that decode to it.
  CHECK(HeaderOf(wire, "Subject").starts_with("=?UTF-8?B?"));
  CHECK(DecodeHeader(HeaderOf(wire, "Subject")) == "[Tocsin] Detention — E8 — K7Q4");
  CHECK(DecodeQuotedPrintable(BodyOf(wire)) ==
        "Someone has been detained: Mare Street (alert K7Q4).\r\n\r\nPlease tell us.\r\n");
  // No tracking, no HTML.
  CHECK(wire.find("text/html") == std::string::npos);
  CHECK(wire.find("<img") == std::string::npos);
}

TEST_CASE("every line ends in CRLF and stays within 78 characters, in any language", "[email]") {
  EmailMessage m = Sample();
  m.from_name = "شبكة بيكهام للتضامن مع المهاجرين";
  m.subject = "[Tocsin] احتجاز — E8, SE15, SE22, N16 — K7Q4 " + std::string(30, 'x');
  m.body = std::string(300, 'a') + "\n" + "تُبلغ الشبكة عن احتجاز شخص " + std::string(5, '=') +
           "\n.starts with a dot\ntrailing space \nend";
  const std::string wire = Built(m);
  for (const std::string& line : Lines(wire)) {
    INFO(line);
    CHECK(line.size() <= 78);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    for (char c : line) CHECK(static_cast<unsigned char>(c) < 0x80);  // 7-bit
  }
  CHECK(wire.ends_with("\r\n"));
  CHECK(DecodeHeader(HeaderOf(wire, "Subject")) == m.subject);
  CHECK(DecodeHeader(HeaderOf(wire, "From")) == m.from_name + " <alerts@tocsin.example.org>");
  std::string expected_body = m.body;
  std::string crlf;
  for (char c : expected_body) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(DecodeQuotedPrintable(BodyOf(wire)) == crlf + "\r\n");
  // A line starting with a dot, and a space before a line end, are encoded.
  CHECK(BodyOf(wire).find("\r\n=2Estarts with a dot") != std::string::npos);
  CHECK(BodyOf(wire).find("trailing space=20\r\n") != std::string::npos);
}

TEST_CASE("ASCII subjects stay readable and fold at spaces", "[email]") {
  EmailMessage m = Sample();
  m.subject = "[Tocsin] Raid - SE15 - K7Q4";
  CHECK(HeaderOf(Built(m), "Subject") == "[Tocsin] Raid - SE15 - K7Q4");
  m.subject = std::string("[Tocsin] ") + std::string(60, 'a') + " " + std::string(20, 'b');
  const std::string folded = HeaderOf(Built(m), "Subject");
  CHECK(folded.find("\r\n ") != std::string::npos);
  CHECK(DecodeHeader(folded) == m.subject);
}

TEST_CASE("no header can be injected", "[email]") {
  struct Case {
    const char* what;
    void (*mutate)(EmailMessage&);
    const char* field;
  };
  const std::vector<Case> cases = {
      {"CRLF in the subject", [](EmailMessage& m) { m.subject = "Hi\r\nBcc: x@evil.example"; }, "subject"},
      {"LF in the subject", [](EmailMessage& m) { m.subject = "Hi\nBcc: x@evil.example"; }, "subject"},
      {"CR in the subject", [](EmailMessage& m) { m.subject = "Hi\rBcc: x@evil.example"; }, "subject"},
      {"a tab-free control in the subject", [](EmailMessage& m) { m.subject = "Hi\x01"; }, "subject"},
      {"an empty subject", [](EmailMessage& m) { m.subject.clear(); }, "subject"},
      {"CRLF in the display name", [](EmailMessage& m) { m.from_name = "T\r\nBcc: x@evil.example"; }, "from_name"},
      {"CRLF in the recipient", [](EmailMessage& m) { m.to = "a@b.example\r\nBcc: x@evil.example"; }, "to"},
      {"a list of recipients", [](EmailMessage& m) { m.to = "a@b.example, x@evil.example"; }, "to"},
      {"a display name as recipient", [](EmailMessage& m) { m.to = "A <a@b.example>"; }, "to"},
      {"CRLF in the sender", [](EmailMessage& m) { m.from = "a@b.example\r\nX: y"; }, "from"},
      {"CRLF in the language", [](EmailMessage& m) { m.language = "en\r\nBcc: x@evil.example"; }, "language"},
      {"CRLF in the message id", [](EmailMessage& m) { m.message_id = "<a@b>\r\nBcc: x"; }, "message_id"},
      {"invalid UTF-8 in the body", [](EmailMessage& m) { m.body = "\xC3("; }, "body"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    EmailMessage m = Sample();
    c.mutate(m);
    Result<std::string> wire = BuildEmail(m);
    REQUIRE_FALSE(wire.ok());
    CHECK(wire.error().code == ErrorCode::kInvalid);
    CHECK(wire.error().field == c.field);
    CHECK(wire.error().message.find("evil") == std::string::npos);  // never quotes the value
  }
  // CR and LF in the body are line breaks, never header material: the headers end first.
  EmailMessage m = Sample();
  m.body = "\r\nBcc: x@evil.example\r\n";
  const std::string wire = Built(m);
  CHECK(HeaderOf(wire, "Bcc").empty());
  EmailMessage big = Sample();
  big.body.assign(kMaxEmailBodyBytes + 1, 'a');
  CHECK(BuildEmail(big).error().code == ErrorCode::kTooLarge);
}

TEST_CASE("quoted-printable keeps lines short and never splits an escape", "[email]") {
  const std::string text = std::string(74, 'a') + "é" + std::string(200, '=') + "\n\t\n";
  const std::string qp = QuotedPrintable(text);
  for (const std::string& line : Lines(qp)) {
    CHECK(line.size() <= 76);
    // A soft break ends a line with '=' that starts no escape.
    if (line.ends_with("=")) CHECK((line.size() < 3 || line[line.size() - 3] != '='));
  }
  CHECK(DecodeQuotedPrintable(qp) ==
        std::string(74, 'a') + "é" + std::string(200, '=') + "\r\n\t\r\n");
  CHECK(QuotedPrintable("a\tb") == "a\tb");
  CHECK(QuotedPrintable("tab at end\t") == "tab at end=09");
  CHECK(QuotedPrintable("") == "");
}

TEST_CASE("encoded-words never split a UTF-8 character", "[email]") {
  const std::string text = "[Tocsin] بازداشت — E8 — K7Q4 یورش مأموران مهاجرت در نزدیکی شما";
  const std::string encoded = EncodeHeaderText(text, 9);
  std::size_t words = 0;
  for (const std::string& line : Lines(encoded + "\r\n")) {
    std::string_view word = line;
    if (word.starts_with(" ")) word.remove_prefix(1);
    REQUIRE(word.starts_with("=?UTF-8?B?"));
    REQUIRE(word.ends_with("?="));
    CHECK(word.size() <= 75);
    const auto decoded = Base64Decode(word.substr(10, word.size() - 12));
    REQUIRE(decoded.has_value());
    CHECK(IsValidUtf8(*decoded));
    ++words;
  }
  CHECK(words > 1);
  CHECK(DecodeHeader(encoded) == text);
}

TEST_CASE("display names are quoted or encoded as needed", "[email]") {
  CHECK(EncodeDisplayName("Tocsin", 6) == "Tocsin");
  CHECK(EncodeDisplayName("Peckham Network", 6) == "Peckham Network");
  CHECK(EncodeDisplayName("Peckham, \"SE15\"", 6) == "\"Peckham, \\\"SE15\\\"\"");
  CHECK(EncodeDisplayName("Réseau", 6).starts_with("=?UTF-8?B?"));
}

TEST_CASE("message ids are ours, dates are RFC 5322", "[email]") {
  CHECK(MakeMessageId("17.abc_DEF-1", "alerts@tocsin.example.org") ==
        "<17.abc_DEF-1@tocsin.example.org>");
  CHECK(MakeMessageId("", "alerts@tocsin.example.org").empty());
  CHECK(MakeMessageId("a b", "alerts@tocsin.example.org").empty());
  CHECK(MakeMessageId("a>b", "alerts@tocsin.example.org").empty());
  CHECK(MakeMessageId("ab", "no-domain").empty());
  using std::chrono::seconds;
  using std::chrono::system_clock;
  CHECK(FormatEmailDate(system_clock::time_point(seconds(0))) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(FormatEmailDate(system_clock::time_point(seconds(1709251199))) ==
        "Thu, 29 Feb 2024 23:59:59 +0000");
}

TEST_CASE("email addresses: what is accepted, and how they are masked", "[email]") {
  for (const char* good : {"cases@example.org", "a.b+tag@sub.example.co.uk", "x_y-z@a-b.example",
                           "o'brien@example.ie"}) {
    INFO(good);
    CHECK(IsEmailAddress(good));
  }
  for (const char* bad :
       {"", "example.org", "@example.org", "a@", "a@b", "a@.example.org", "a..b@example.org",
        ".a@example.org", "a.@example.org", "a b@example.org", "a@exa mple.org", "a@-x.example",
        "<a@example.org>", "A <a@example.org>", "a@example.org\r\n", "a@[192.0.2.1]",
        "\"a\"@example.org", "é@example.org", "a@exämple.org", "a@b@example.org"}) {
    INFO(bad);
    CHECK_FALSE(IsEmailAddress(bad));
  }
  CHECK_FALSE(IsEmailAddress(std::string(65, 'a') + "@example.org"));
  CHECK(RedactEmail("cases@hackney-law.example.org") == "c***@h***.org");
  CHECK(RedactEmail("x@y.fr") == "x***@y***.fr");
  CHECK(RedactEmail("not an address") == "***");
}

}  // namespace
}  // namespace tocsin
