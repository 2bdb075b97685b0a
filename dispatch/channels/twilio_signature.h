// Twilio request signatures (X-Twilio-Signature) and the form encoding they are computed over.
//
// Twilio signs every webhook it sends (inbound SMS, status callbacks, voice) so we can tell it
// from a forgery. The signature is computed as follows (twilio-python request_validator.py,
// twilio-node webhooks.ts):
//
//   1. Start from the full URL Twilio requested: scheme, host, port if any, path and query,
//      exactly as configured (the public URL, not what a proxy forwards to us).
//   2. Sort the POST parameters by name, byte order (case-sensitive). For a name that occurs
//      more than once, its distinct values are sorted and each appended once.
//   3. Append name + value for each, decoded (no '=' or '&').
//   4. HMAC-SHA1 the string keyed with the account's auth token; base64 (standard, padded).
//
// Twilio is inconsistent about default ports, so validation accepts the signature over the URL
// as given, with the scheme's default port added (":443" for https, ":80" for http) when it has
// none, and with that default port removed when it has it. A non-default port is never removed
// or added. Comparison is in constant time.
//
// JSON-bodied webhooks (bodySHA256 in the query) are not handled here.
//
// Pure functions; safe from any thread. No HTTP library involved.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// Decoded form parameters in the order they arrived; names may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// The signature Twilio would send for a request to `full_url` with `params`: 28 characters of
// base64.
std::string TwilioSignature(std::string_view auth_token, std::string_view full_url,
                            const FormParams& params);

// True if `signature_header` is the signature of `full_url` (or its default-port variant, see
// above) and `params` under `auth_token`. An empty token or header is never valid.
bool ValidTwilioSignature(std::string_view auth_token, std::string_view full_url,
                          const FormParams& params, std::string_view signature_header);

// Parses an application/x-www-form-urlencoded body: pairs separated by '&', name and value by
// the first '=' (a pair without '=' has an empty value), '+' is a space, %XX is a byte (hex
// digits of either case). Empty pairs ("a=1&&b=2", a trailing '&') are skipped. A '%' not
// followed by two hex digits is an Error with code kMalformed and field "body". Decoded bytes
// are not checked for valid UTF-8.
Result<FormParams> ParseFormUrlEncoded(std::string_view body);

// The inverse: encodes `params` in order, with unreserved characters (A-Z a-z 0-9 - . _ ~)
// kept, space as '+', and every other byte as %XX (upper-case hex).
std::string FormUrlEncode(const FormParams& params);

}  // namespace tocsin
