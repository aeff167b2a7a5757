// tests/support/openapi_check.cpp — see openapi_check.h.
#include "tests/support/openapi_check.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace basalt::test {

namespace json = boost::json;

namespace {

const json::value& resolve(const json::value& doc, const json::value& schema) {
  const json::object& o = schema.as_object();
  auto it = o.find("$ref");
  if (it == o.end()) return schema;
  std::string ref(it->value().as_string());
  if (ref.rfind("#/", 0) != 0) throw std::runtime_error("unsupported $ref " + ref);
  return resolve(doc, doc.at_pointer(ref.substr(1)));
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  return false;
}

}  // namespace

std::string check_schema(const json::value& doc, const json::value& schema_in,
                         const json::value& value, const std::string& where) {
  const json::object& s = resolve(doc, schema_in).as_object();
  std::string problems;
  if (value.is_null()) {
    auto n = s.find("nullable");
    if (n != s.end() && n->value().as_bool()) return "";
  }
  if (auto all = s.find("allOf"); all != s.end()) {
    for (const auto& sub : all->value().as_array())
      problems += check_schema(doc, sub, value, where);
  }
  if (auto t = s.find("type"); t != s.end()) {
    if (!has_type(value, t->value().as_string())) {
      return where + ": expected " + std::string(t->value().as_string()) + ", got " +
             json::serialize(value) + "\n";
    }
  }
  if (auto e = s.find("enum"); e != s.end()) {
    bool found = false;
    for (const auto& option : e->value().as_array()) found = found || option == value;
    if (!found) problems += where + ": " + json::serialize(value) + " not in the enum\n";
  }
  if (auto m = s.find("minimum"); m != s.end() && value.is_number()) {
    if (value.to_number<double>() < m->value().to_number<double>())
      problems += where + ": below the minimum\n";
  }
  if (value.is_array()) {
    if (auto items = s.find("items"); items != s.end()) {
      size_t i = 0;
      for (const auto& v : value.as_array())
        problems += check_schema(doc, items->value(), v, where + "[" + std::to_string(i++) + "]");
    }
  }
  if (value.is_object()) {
    const json::object& o = value.as_object();
    if (auto req = s.find("required"); req != s.end()) {
      for (const auto& name : req->value().as_array()) {
        if (!o.contains(name.as_string()))
          problems += where + ": required field " + std::string(name.as_string()) + " missing\n";
      }
    }
    const json::object* props = nullptr;
    if (auto p = s.find("properties"); p != s.end()) props = &p->value().as_object();
    auto extra = s.find("additionalProperties");
    for (const auto& [key, v] : o) {
      std::string here = where + "." + std::string(key);
      if (props && props->contains(key)) {
        problems += check_schema(doc, props->at(key), v, here);
      } else if (extra != s.end()) {
        if (extra->value().is_bool()) {
          if (!extra->value().as_bool()) problems += here + ": field not in the schema\n";
        } else {
          problems += check_schema(doc, extra->value(), v, here);
        }
      }
    }
  }
  return problems;
}

json::value load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

}  // namespace basalt::test
