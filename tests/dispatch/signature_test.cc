#include "dispatch/channels/twilio_signature.h"

#include <catch2/catch.hpp>

namespace tocsin {
namespace {

constexpr std::string_view kToken = "12345";
constexpr std::string_view kUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";

FormParams DocsParams(const std::string& caller) {
  // Deliberately out of order: the signature sorts them.
  return {{"To", "+18005551212"},
          {"CallSid", "CA1234567890ABCDE"},
          {"Digits", "1234"},
          {"From", caller},
          {"Caller", caller}};
}

}  // namespace

TEST_CASE("TwilioSignature reproduces Twilio's published vectors", "[signature]") {
  // twilio-python / twilio-php / twilio-csharp test suites.
  CHECK(TwilioSignature(kToken, kUrl, DocsParams("+14158675309")) ==
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  // The older "Webhooks security" page's worked example.
  CHECK(TwilioSignature(kToken, kUrl, DocsParams("+12349013030")) ==
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  CHECK(ValidTwilioSignature(kToken, kUrl, DocsParams("+12349013030"),
                             "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

TEST_CASE("repeated names: values sorted, each distinct value once", "[signature]") {
  // twilio-python test_compute_signature_duplicate_multi_dict.
  const FormParams params = {{"Sid", "CA123"},
                             {"SidAccount", "AC123"},
                             {"Digits", "5678"},
                             {"Digits", "1234"},
                             {"Digits", "1234"}};
  CHECK(TwilioSignature(kToken, kUrl, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  const FormParams reordered = {
      {"Digits", "1234"}, {"Digits", "5678"}, {"SidAccount", "AC123"}, {"Sid", "CA123"}};
  CHECK(TwilioSignature(kToken, kUrl, reordered) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST_CASE("empty params sign the URL alone", "[signature]") {
  const std::string sig = TwilioSignature(kToken, kUrl, {});
  CHECK(sig == "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
  CHECK(sig.size() == 28);
  CHECK(ValidTwilioSignature(kToken, kUrl, {}, sig));
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, {{"a", ""}}, sig));
}

TEST_CASE("validation tries the default port added and removed", "[signature]") {
  const FormParams params = {{"Body", "1 K7Q2"}, {"From", "+447700900123"}};

  SECTION("signed without a port, received with the default port") {
    const std::string sig = TwilioSignature("tok", "https://tocsin.example/sms?n=1", params);
    CHECK(ValidTwilioSignature("tok", "https://tocsin.example:443/sms?n=1", params, sig));
    CHECK(ValidTwilioSignature("tok", "https://tocsin.example/sms?n=1", params, sig));
    CHECK_FALSE(ValidTwilioSignature("tok", "https://tocsin.example:8443/sms?n=1", params, sig));
  }
  SECTION("signed with the default port, received without") {
    const std::string sig = TwilioSignature("tok", "https://tocsin.example:443/sms", params);
    CHECK(ValidTwilioSignature("tok", "https://tocsin.example/sms", params, sig));
  }
  SECTION("http uses port 80") {
    const std::string sig = TwilioSignature("tok", "http://127.0.0.1:80/cb", params);
    CHECK(ValidTwilioSignature("tok", "http://127.0.0.1/cb", params, sig));
    CHECK_FALSE(ValidTwilioSignature("tok", "http://127.0.0.1:443/cb", params, sig));
  }
  SECTION("userinfo and IPv6 hosts") {
    const std::string sig = TwilioSignature("tok", "https://u:p@[::1]:443/cb", params);
    CHECK(ValidTwilioSignature("tok", "https://u:p@[::1]/cb", params, sig));
    const std::string sig2 = TwilioSignature("tok", "https://u:p@host.example/cb", params);
    CHECK(ValidTwilioSignature("tok", "https://u:p@host.example:443/cb", params, sig2));
  }
  SECTION("a non-default port is significant") {
    const std::string sig = TwilioSignature("tok", "https://tocsin.example:8443/sms", params);
    CHECK(ValidTwilioSignature("tok", "https://tocsin.example:8443/sms", params, sig));
    CHECK_FALSE(ValidTwilioSignature("tok", "https://tocsin.example/sms", params, sig));
    CHECK_FALSE(ValidTwilioSignature("tok", "https://tocsin.example:443/sms", params, sig));
  }
}

TEST_CASE("tampering is rejected", "[signature]") {
  const FormParams params = DocsParams("+14158675309");
  const std::string good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  REQUIRE(ValidTwilioSignature(kToken, kUrl, params, good));

  FormParams tampered = params;
  tampered[2].second = "9999";
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, tampered, good));
  FormParams extra = params;
  extra.emplace_back("Body", "");
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, extra, good));

  CHECK_FALSE(ValidTwilioSignature("54321", kUrl, params, good));
  CHECK_FALSE(ValidTwilioSignature("", kUrl, params, good));
  CHECK_FALSE(ValidTwilioSignature(kToken, std::string(kUrl) + "&baz=3", params, good));
  CHECK_FALSE(
      ValidTwilioSignature(kToken, "http://mycompany.com/myapp.php?foo=1&bar=2", params, good));
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, params, ""));
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, params, good.substr(0, 27)));
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, params, good + "="));
  CHECK_FALSE(ValidTwilioSignature(kToken, kUrl, params, "SSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST_CASE("ParseFormUrlEncoded decodes a Twilio form body", "[signature]") {
  auto parsed = ParseFormUrlEncoded(
      "To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309"
      "&Caller=%2B14158675309");
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 5);
  CHECK((*parsed)[0] == std::pair<std::string, std::string>("To", "+18005551212"));
  CHECK(TwilioSignature(kToken, kUrl, *parsed) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");

  parsed = ParseFormUrlEncoded("Body=RAID+at+Peckham%2c+3+vans%21&x=a%3Db&flag&&empty=&b=%C3%A9&");
  REQUIRE(parsed.ok());
  const FormParams expected = {{"Body", "RAID at Peckham, 3 vans!"},
                               {"x", "a=b"},
                               {"flag", ""},
                               {"empty", ""},
                               {"b", "\xC3\xA9"}};
  CHECK(*parsed == expected);

  parsed = ParseFormUrlEncoded("a=1&a=2&a=1");
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 3);

  parsed = ParseFormUrlEncoded("");
  REQUIRE(parsed.ok());
  CHECK(parsed->empty());
}

TEST_CASE("ParseFormUrlEncoded rejects malformed percent escapes", "[signature]") {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "a%g1=1", "Body=100%&x=1", "a=%%41"}) {
    INFO(body);
    const auto parsed = ParseFormUrlEncoded(body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::kMalformed);
    CHECK(parsed.error().field == "body");
  }
}

TEST_CASE("FormUrlEncode round-trips through ParseFormUrlEncoded", "[signature]") {
  const FormParams params = {{"To", "+447700900123"},
                             {"Body", "Raid at Peckham & Rye: 100% sure = yes ~ é €"},
                             {"Empty", ""},
                             {"Key with space", "a+b"}};
  const std::string encoded = FormUrlEncode(params);
  CHECK(encoded.find(' ') == std::string::npos);
  CHECK(encoded.rfind("To=%2B447700900123&Body=Raid+at+Peckham+%26+Rye", 0) == 0);
  const auto parsed = ParseFormUrlEncoded(encoded);
  REQUIRE(parsed.ok());
  CHECK(parsed.value() == params);
}

}  // namespace tocsin
