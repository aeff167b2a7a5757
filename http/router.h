// http/router.h — maps a request (method, path, Authorization, body) to its endpoint: the
// route tables (GET reads, POST writes), the bearer-token check (every path but /health), 404
// for an unknown path and 405 (with Allow) for a method the path does not take.
#pragma once

#include <boost/asio/awaitable.hpp>
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
  std::string body;
};

// Awaitable: a write (POST /replicaof) may wait for the point between two write groups.
boost::asio::awaitable<Response> handle(app::NodeApp& node, Request request);

}  // namespace basalt::http
