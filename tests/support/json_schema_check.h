// A minimal JSON Schema (draft 2020-12) checker for the subset schema/webhooks/ uses: type (a
// name or a list), enum, const, required, properties, additionalProperties (a schema), items,
// minimum, and $ref to a sibling file ("alert.json"). Anything else in a schema is ignored. For
// tests only: enough to hold real webhook bodies to their published schemas without a new
// dependency.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

namespace tocsin::test {

// The violations of `value` against the schema file `file` in directory `dir`, each as
// "<path>: <why>" ("data.alert.counts.going: not integer"); empty when it conforms.
std::vector<std::string> SchemaViolations(const std::string& dir, const std::string& file, const boost::json::value& value);

}  // namespace tocsin::test
