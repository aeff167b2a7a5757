// tests/support/openapi_check.h — checks a JSON value against a schema of an OpenAPI 3.0
// document (the subset http/openapi.json uses: $ref, allOf, type, nullable, enum, required,
// properties, additionalProperties, items, minimum).
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace basalt::test {

// Problems found ("" if `value` fits `schema`); `doc` resolves $ref, `where` names the spot.
std::string check_schema(const boost::json::value& doc, const boost::json::value& schema,
                         const boost::json::value& value, const std::string& where = "$");

// The document read from `path` (throws on a parse error).
boost::json::value load_json_file(const std::string& path);

}  // namespace basalt::test
