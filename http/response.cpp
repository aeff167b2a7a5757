// http/response.cpp — see response.h.
#include "http/response.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace basalt::http {

Response json_response(unsigned status, const boost::json::value& value) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(value);
  return r;
}

Response error_response(unsigned status, std::string_view message) {
  boost::json::object o;
  o["error"] = message;
  return json_response(status, o);
}

}  // namespace basalt::http
