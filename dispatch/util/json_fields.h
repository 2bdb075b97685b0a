// Reading validated documents out of JSON (policies, phone trees): field paths for error
// messages, whole numbers, and a size-bounded parse. Errors follow result.h: kInvalid names the
// field by a JSON-pointer-like path ("steps[1].wait", "nodes[0].children[2]").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "dispatch/util/result.h"

namespace tocsin {

// "steps[0]" + "wait" -> "steps[0].wait"; "" + "steps" -> "steps". An over-long key (an unknown
// one echoed back) is cut to 64 bytes.
std::string FieldKey(std::string_view parent, std::string_view key);
// "nodes" + 3 -> "nodes[3]".
std::string FieldIndex(std::string_view parent, std::size_t i);
// Invalid: "<parent>.<key>": "unknown field".
Error UnknownField(std::string_view parent, std::string_view key);
// A JSON integer that fits in int64 (doubles such as 5.0 are not whole numbers here).
std::optional<std::int64_t> JsonInt64(const boost::json::value& v);
// Parses `text` as JSON: kTooLarge over `max_bytes`, kMalformed when not JSON. `what` names the
// document in messages ("a policy", "a tree").
Result<boost::json::value> ParseJsonText(std::string_view text, std::size_t max_bytes, std::string_view what);

}  // namespace tocsin
