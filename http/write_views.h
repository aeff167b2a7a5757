// http/write_views.h — the write endpoints (POST): /config (CONFIG SET of many directives,
// all-or-nothing), /config/rewrite, /replicaof, /failover and /shutdown. Each parses its JSON
// body (400 when malformed or of the wrong shape) and steers the node through
// node/app/admin.h.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "http/response.h"

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

// {"name": "value", ...}: 200 {"changed": [...]} or 400 {"error": "ERR ..."}.
Response config_set_view(app::NodeApp& node, const std::string& body);
// 200 {"rewritten": true} or 409 {"error": ...} (no config file, or it cannot be written).
Response config_rewrite_view(app::NodeApp& node, const std::string& body);
// {"host": "...", "port": N} or {"no_one": true}: 200 with the role, 400 / 409 with the error.
boost::asio::awaitable<Response> replicaof_view(app::NodeApp& node, std::string body);
// POST /failover: FAILOVER (202, started) or {"abort": true} (200); 409 with FAILOVER's error.
Response failover_view(app::NodeApp& node, const std::string& body);
// Optional {"save": bool} (default true): 202 {"shutting_down": true}, then shuts down.
Response shutdown_view(app::NodeApp& node, const std::string& body);

}  // namespace basalt::http
