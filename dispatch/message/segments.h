// SMS encoding and segment counting (3GPP TS 23.038 / GSM 03.38).
//
// Senders are rate-limited in segments, not messages, and an Arabic alert costs about three
// times the segments of the same length in English, so the engine measures every body before
// it is queued. MeasureSms decides what a carrier (and Twilio) would do with a UTF-8 body:
//
//   1. If every character is in the GSM-7 basic table or its extension table, the message is
//      GSM-7: basic characters cost one septet, extension characters (form feed and
//      ^ { } \ [ ~ ] | €) cost two (an escape and the character). Otherwise the whole message is
//      UCS-2, counted in UTF-16 code units: a character outside the BMP (most emoji) is a surrogate
//      pair, two units.
//   2. A message of up to 160 septets (GSM-7) or 70 units (UCS-2) is one segment. Longer
//      messages are split into parts of at most 153 septets or 67 units (the rest of each part
//      is the concatenation header).
//   3. An escape pair or a surrogate pair is never split across parts: a two-unit item that
//      would straddle a boundary starts the next part, leaving one unit of the previous part
//      unused. So 152 plain septets followed by '€' take two parts, not one.
//   4. The empty string is GSM-7 with 0 units and 0 segments (nothing to send).
//   5. Invalid UTF-8 (stray continuation bytes, truncated or overlong sequences, encoded
//      surrogates, values above U+10FFFF) is decoded as a carrier would show it: each maximal
//      invalid subsequence becomes U+FFFD, which is not in the GSM tables, so the message is
//      UCS-2 and each replacement counts one unit.
//
// Pure functions of their input; safe from any thread.
#pragma once

#include <string_view>

namespace tocsin {

struct SmsEncoding {
  bool ucs2 = false;  // false: GSM-7
  int units = 0;      // septets (GSM-7) or UTF-16 code units (UCS-2), escapes included
  int segments = 0;   // SMS parts that will be sent (and billed, and rate-limited)
};

// Segment limits, exposed for callers that trim text to fit.
inline constexpr int kGsm7SingleSegment = 160;
inline constexpr int kGsm7MultiSegment = 153;
inline constexpr int kUcs2SingleSegment = 70;
inline constexpr int kUcs2MultiSegment = 67;

SmsEncoding MeasureSms(std::string_view utf8);

// Septets `code_point` costs in GSM-7: 1 (basic table), 2 (extension table), or 0 if it
// cannot be sent in GSM-7 at all.
int Gsm7Septets(char32_t code_point);

}  // namespace tocsin
