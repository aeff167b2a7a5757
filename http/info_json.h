// http/info_json.h — INFO text as JSON: one object per section (lowercase name), each field a
// number when its value is one, a string otherwise; "k=v,k=v" values (slaveN, cmdstat_*,
// errorstat_*, dbN) become nested objects.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

namespace basalt::http {

boost::json::object info_to_json(std::string_view info_text);

// A JSON number for `text` if all of it is an integer or a decimal, else the string.
boost::json::value scalar_json(std::string_view text);

}  // namespace basalt::http
