// Phone number normalisation to E.164.
//
// Members type numbers in every shape ("07700 900123", "+44 (0)7700-900123", "0044 7700900123").
// Everything stored and compared is E.164: '+', a country calling code and the national
// significant number, 8 to 15 digits in all, first digit not 0.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

// The calling code for an ISO 3166-1 alpha-2 country ("GB" -> "44"), or nullopt if unknown.
// Knows at least GB, IE, FR, DE, ES, IT, NL, BE, PT, PL, US, CA.
std::optional<std::string> CallingCode(std::string_view country);

// True if `s` is already strict E.164 ('+' then 8..15 digits, the first not '0').
bool IsE164(std::string_view s);

// Normalises `input` to E.164. Accepts:
//   - international form with '+' or '00' prefix, spaces, dots, hyphens and parentheses;
//   - the UK habit "+44 (0)7700 900123" (a "(0)" trunk prefix after the country code is dropped);
//   - national form starting with a single '0' ("07700 900123"), using `country`'s calling code.
// Rejects anything else (letters, too short/long, national form for an unknown country) with
// Error::Invalid(field, ...). For GB numbers the national significant number must be 9 or 10
// digits. `field` names the input in the error (e.g. "phone", "numbers[1]").
Result<std::string> NormalisePhone(std::string_view input, std::string_view country,
                                   std::string_view field = "phone");

// For logs: "+44******0123" style, never the whole number.
std::string RedactPhone(std::string_view e164);
// For logs of message texts (a relay node's SMS names the people it must call): `text` with
// every E.164 number in it redacted as RedactPhone does.
std::string RedactPhonesIn(std::string_view text);

}  // namespace tocsin
