#include "dispatch/util/phone.h"

#include <catch2/catch.hpp>

namespace tocsin {
namespace {

// The normalised number, or "error: <field>" so a failure shows what happened.
std::string Norm(std::string_view input, std::string_view country = "GB") {
  Result<std::string> result = NormalisePhone(input, country);
  return result.ok() ? result.value() : "error: " + result.error().field;
}

TEST_CASE("CallingCode knows the documented countries", "[phone]") {
  CHECK(CallingCode("GB") == "44");
  CHECK(CallingCode("IE") == "353");
  CHECK(CallingCode("FR") == "33");
  CHECK(CallingCode("DE") == "49");
  CHECK(CallingCode("ES") == "34");
  CHECK(CallingCode("IT") == "39");
  CHECK(CallingCode("NL") == "31");
  CHECK(CallingCode("BE") == "32");
  CHECK(CallingCode("PT") == "351");
  CHECK(CallingCode("PL") == "48");
  CHECK(CallingCode("US") == "1");
  CHECK(CallingCode("CA") == "1");
  CHECK(CallingCode("gb") == "44");
  CHECK_FALSE(CallingCode("ZZ").has_value());
  CHECK_FALSE(CallingCode("").has_value());
  CHECK_FALSE(CallingCode("GBR").has_value());
}

TEST_CASE("IsE164 accepts only strict E.164", "[phone]") {
  CHECK(IsE164("+447700900123"));
  CHECK(IsE164("+12025550123"));
  CHECK(IsE164("+12345678"));         // 8 digits
  CHECK(IsE164("+123456789012345"));  // 15 digits
  CHECK_FALSE(IsE164("+1234567"));    // 7 digits
  CHECK_FALSE(IsE164("+1234567890123456"));
  CHECK_FALSE(IsE164("447700900123"));
  CHECK_FALSE(IsE164("+047700900123"));
  CHECK_FALSE(IsE164("+44 7700900123"));
  CHECK_FALSE(IsE164("+44770090012a"));
  CHECK_FALSE(IsE164(""));
  CHECK_FALSE(IsE164("+"));
}

TEST_CASE("NormalisePhone accepts the shapes UK members type", "[phone]") {
  CHECK(Norm("07700 900123") == "+447700900123");
  CHECK(Norm("07700900123") == "+447700900123");
  CHECK(Norm("07700-900-123") == "+447700900123");
  CHECK(Norm("07700.900.123") == "+447700900123");
  CHECK(Norm("  07700 900123\t") == "+447700900123");
  CHECK(Norm("+447700900123") == "+447700900123");
  CHECK(Norm("+44 7700 900123") == "+447700900123");
  CHECK(Norm("+44 (0)7700 900123") == "+447700900123");
  CHECK(Norm("+44(0)7700-900123") == "+447700900123");
  CHECK(Norm("+44 (0) 7700 900 123") == "+447700900123");
  CHECK(Norm("0044 7700 900123") == "+447700900123");
  CHECK(Norm("0044 (0)7700 900123") == "+447700900123");
  CHECK(Norm("(020) 7946 0018") == "+442079460018");
  CHECK(Norm("020 7946 0018") == "+442079460018");
  CHECK(Norm("01632 960123") == "+441632960123");
  CHECK(Norm("016977 3456") == "+44169773456");  // 9-digit national significant number
}

TEST_CASE("NormalisePhone handles other countries", "[phone]") {
  CHECK(Norm("00 353 87 123 4567") == "+353871234567");
  CHECK(Norm("+353 87 123 4567") == "+353871234567");
  CHECK(Norm("087 123 4567", "IE") == "+353871234567");
  CHECK(Norm("06 12 34 56 78", "FR") == "+33612345678");
  CHECK(Norm("030 1234567", "DE") == "+49301234567");
  CHECK(Norm("06 1234 5678", "IT") == "+390612345678");  // Italy keeps the leading 0
  CHECK(Norm("+1 (202) 555-0123", "US") == "+12025550123");
  // International form ignores the default country.
  CHECK(Norm("+33 6 12 34 56 78", "GB") == "+33612345678");
  CHECK(Norm("+33 6 12 34 56 78", "") == "+33612345678");
}

TEST_CASE("NormalisePhone rejects malformed numbers", "[phone]") {
  CHECK(Norm("") == "error: phone");
  CHECK(Norm("   ") == "error: phone");
  CHECK(Norm("07700 9OO123") == "error: phone");  // letter O
  CHECK(Norm("call me") == "error: phone");
  CHECK(Norm("07700 900123 ext 4") == "error: phone");
  CHECK(Norm("+44 7700 900123#") == "error: phone");
  CHECK(Norm("+44+7700900123") == "error: phone");
  CHECK(Norm("++447700900123") == "error: phone");
  CHECK(Norm("+44 (7700 900123") == "error: phone");
  CHECK(Norm("+44 7700) 900123") == "error: phone");
  CHECK(Norm("+44 ((0)) 7700 900123") == "error: phone");
  // Too short or too long.
  CHECK(Norm("+1234567") == "error: phone");
  CHECK(Norm("+1234567890123456") == "error: phone");
  CHECK(Norm("0770090") == "error: phone");
  CHECK(Norm("07700 900123 456") == "error: phone");
  // GB national significant number must be 9 or 10 digits.
  CHECK(Norm("+44 7700 9001") == "error: phone");
  CHECK(Norm("+44 7700 9001234") == "error: phone");
  CHECK(Norm("+44 07700 900123") == "error: phone");  // stray trunk 0 without parentheses
  // No country code may start with 0.
  CHECK(Norm("+0447700900123") == "error: phone");
  CHECK(Norm("000447700900123") == "error: phone");
  // Neither '+', '00' nor a national '0'.
  CHECK(Norm("447700900123") == "error: phone");
  CHECK(Norm("7700 900123") == "error: phone");
}

TEST_CASE("NormalisePhone needs a known country for the national form", "[phone]") {
  CHECK(Norm("07700 900123", "") == "error: phone");
  CHECK(Norm("07700 900123", "ZZ") == "error: phone");
  CHECK(Norm("0202 555 0123", "US") == "error: phone");  // NANP has no trunk 0
}

TEST_CASE("NormalisePhone errors name the field and never echo the number", "[phone]") {
  Result<std::string> result = NormalisePhone("07700 900123", "", "numbers[1]");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kInvalid);
  CHECK(result.error().field == "numbers[1]");
  CHECK(result.error().message.find("900123") == std::string::npos);

  Result<std::string> letters = NormalisePhone("07700 90012x", "GB", "phone");
  REQUIRE_FALSE(letters.ok());
  CHECK(letters.error().message.find("90012") == std::string::npos);
}

TEST_CASE("NormalisePhone output is always E.164", "[phone]") {
  for (std::string_view input :
       {"07700 900123", "+44 (0)7700 900123", "0044 7700900123", "00 353 87 123 4567"}) {
    Result<std::string> result = NormalisePhone(input, "GB");
    REQUIRE(result.ok());
    CHECK(IsE164(result.value()));
  }
}

TEST_CASE("RedactPhonesIn redacts every number in a text", "[phone]") {
  CHECK(RedactPhonesIn("Please call: Amal +447700900111, Bo +447700900112") ==
        "Please call: Amal +44******0111, Bo +44******0112");
  CHECK(RedactPhonesIn("+447700900111") == "+44******0111");
  const std::string no_number = "RAID K7Q2: 3 vans. Reply 1 or 2, +1 more";
  CHECK(RedactPhonesIn(no_number) == no_number);
  CHECK(RedactPhonesIn("") == "");
}

TEST_CASE("RedactPhone keeps only the country prefix and last four digits", "[phone]") {
  CHECK(RedactPhone("+447700900123") == "+44******0123");
  CHECK(RedactPhone("+353871234567") == "+35******4567");
  CHECK(RedactPhone("+12345678") == "+12**5678");
  // Anything that is not E.164 is redacted entirely.
  CHECK(RedactPhone("07700900123") == "***");
  CHECK(RedactPhone("") == "***");
  CHECK(RedactPhone("+44 7700 900123") == "***");
}

}  // namespace
}  // namespace tocsin
