#include "tests/support/json_schema_check.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tocsin::test {
namespace {

namespace json = boost::json;

json::value LoadSchema(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read schema " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

bool HasType(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  return false;
}

struct Checker {
  std::string dir;
  std::vector<std::string> violations;

  void Fail(const std::string& path, const std::string& why) { violations.push_back(path + ": " + why); }

  void Check(const json::object& schema, const json::value& v, const std::string& path) {
    if (const auto* ref = schema.if_contains("$ref")) {
      auto sub = LoadSchema(dir + "/" + std::string(ref->as_string()));
      Check(sub.as_object(), v, path);
    }
    if (const auto* type = schema.if_contains("type")) {
      bool ok = false;
      if (type->is_string()) ok = HasType(v, type->as_string());
      for (const auto& t : type->is_array() ? type->as_array() : json::array{}) ok = ok || HasType(v, t.as_string());
      if (!ok) return Fail(path, "not " + json::serialize(*type));
    }
    if (const auto* c = schema.if_contains("const"); c && *c != v) Fail(path, "not " + json::serialize(*c));
    if (const auto* e = schema.if_contains("enum")) {
      bool found = false;
      for (const auto& item : e->as_array()) found = found || item == v;
      if (!found) Fail(path, "not one of " + json::serialize(*e));
    }
    if (const auto* m = schema.if_contains("minimum"); m && v.is_number() && v.to_number<double>() < m->to_number<double>()) {
      Fail(path, "less than " + json::serialize(*m));
    }
    if (v.is_object()) CheckObject(schema, v.as_object(), path);
    if (const auto* items = schema.if_contains("items"); items && v.is_array()) {
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        Check(items->as_object(), v.as_array()[i], path + "[" + std::to_string(i) + "]");
      }
    }
  }

  void CheckObject(const json::object& schema, const json::object& o, const std::string& path) {
    if (const auto* required = schema.if_contains("required")) {
      for (const auto& key : required->as_array()) {
        if (!o.contains(key.as_string())) Fail(path, "missing " + std::string(key.as_string()));
      }
    }
    const auto* props = schema.if_contains("properties");
    const auto* extra = schema.if_contains("additionalProperties");
    for (const auto& kv : o) {
      auto sub = path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key());
      if (props && props->as_object().contains(kv.key())) {
        Check(props->as_object().at(kv.key()).as_object(), kv.value(), sub);
      } else if (extra && extra->is_object()) {
        Check(extra->as_object(), kv.value(), sub);
      } else if (extra && extra->is_bool() && !extra->as_bool()) {
        Fail(sub, "not allowed");
      }
    }
  }
};

}  // namespace

std::vector<std::string> SchemaViolations(const std::string& dir, const std::string& file, const json::value& value) {
  Checker c{dir, {}};
  c.Check(LoadSchema(dir + "/" + file).as_object(), value, "");
  return c.violations;
}

}  // namespace tocsin::test
