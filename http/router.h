// http/router.h — maps a request (method, path, Authorization) to its endpoint: the route
// table, the bearer-token check (every path but /health), 404 for an unknown path and 405
// (with Allow) for a method the path does not take.
#pragma once

#include <string>
#include <string_view>

#include "http/response.h"

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path and query, as sent
  std::string_view authorization;
};

Response handle(app::NodeApp& node, const Request& request);

}  // namespace basalt::http
