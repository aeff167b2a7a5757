// http/response.h — what a route answers (status, content type, body, extra headers), built
// without Beast so routing and views stay free of socket code; every error is a JSON body
// {"error": "..."}.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::http {

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the usual ones
  // Run (posted to the event loop) once the response is written; the connection then closes.
  std::function<void()> after_write;
};

// `value` serialized as the body, with `status`.
Response json_response(unsigned status, const boost::json::value& value);
// {"error": message} with `status`.
Response error_response(unsigned status, std::string_view message);

}  // namespace basalt::http
