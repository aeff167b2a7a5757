// http/router.cpp — see router.h.
#include "http/router.h"

#include <array>

#include "http/alerts_view.h"
#include "http/auth.h"
#include "http/json_views.h"
#include "http/metrics.h"
#include "http/status_page.h"
#include "http/write_views.h"
#include "node/app/admin.h"

namespace basalt::http {

namespace {

Response metrics_view(app::NodeApp& node) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = render_metrics(app::admin_metrics(node));
  return r;
}

// A path: exact (`/info`), or with one trailing segment (`/info/{section}`) when `param`.
struct Route {
  std::string_view path;
  bool param;
  bool is_public;  // answers without the token
  Response (*view)(app::NodeApp&, const std::string&);
};

const std::array<Route, 11> kRoutes = {{
    // The status page holds no data (its script asks the API, with the token).
    {"/", false, true, [](app::NodeApp&, const std::string&) { return status_page_view(); }},
    {"/health", false, true, [](app::NodeApp& n, const std::string&) { return health_view(n); }},
    {"/ready", false, false, [](app::NodeApp& n, const std::string&) { return ready_view(n); }},
    {"/status", false, false, [](app::NodeApp& n, const std::string&) { return status_view(n); }},
    {"/replication", false, false,
     [](app::NodeApp& n, const std::string&) { return replication_view(n); }},
    {"/info", false, false, [](app::NodeApp& n, const std::string&) { return info_view(n, ""); }},
    {"/info", true, false, [](app::NodeApp& n, const std::string& s) { return info_view(n, s); }},
    {"/config", false, false, [](app::NodeApp& n, const std::string&) { return config_view(n); }},
    {"/config", true, false,
     [](app::NodeApp& n, const std::string& s) { return config_entry_view(n, s); }},
    {"/metrics", false, false, [](app::NodeApp& n, const std::string&) { return metrics_view(n); }},
    {"/alerts", false, false, [](app::NodeApp& n, const std::string&) { return alerts_view(n); }},
}};

// A write endpoint (POST, exact path, always behind the token). `sync` answers at once;
// otherwise `async` is awaited.
struct WriteRoute {
  std::string_view path;
  Response (*sync)(app::NodeApp&, const std::string&);
  boost::asio::awaitable<Response> (*async)(app::NodeApp&, std::string);
};

const std::array<WriteRoute, 5> kWriteRoutes = {{
    {"/config", config_set_view, nullptr},
    {"/config/rewrite", config_rewrite_view, nullptr},
    {"/replicaof", nullptr, replicaof_view},
    {"/failover", failover_view, nullptr},
    {"/shutdown", shutdown_view, nullptr},
}};

const WriteRoute* match_write(std::string_view path) {
  for (const auto& route : kWriteRoutes) {
    if (path == route.path) return &route;
  }
  return nullptr;
}

Response not_allowed(std::string_view method, std::string allow) {
  Response r = error_response(405, std::string(method) + " is not allowed here");
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

// The route for `path` and its parameter, or null.
const Route* match(std::string_view path, std::string& param) {
  for (const auto& route : kRoutes) {
    if (!route.param) {
      if (path == route.path) return &route;
      continue;
    }
    if (path.size() <= route.path.size() + 1 || path.substr(0, route.path.size()) != route.path ||
        path[route.path.size()] != '/') {
      continue;
    }
    std::string_view rest = path.substr(route.path.size() + 1);
    if (rest.find('/') != std::string_view::npos) continue;
    param = std::string(rest);
    return &route;
  }
  return nullptr;
}

}  // namespace

boost::asio::awaitable<Response> handle(app::NodeApp& node, Request request) {
  std::string_view path = request.target;
  if (path.empty() || path.front() != '/') {
    co_return error_response(400, "malformed request target");
  }
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);

  std::string param;
  const WriteRoute* write = match_write(path);
  // An exact write path wins over a read route's parameter (/config/rewrite is no directive).
  const Route* route = write && path != "/config" ? nullptr : match(path, param);
  if (!route || !route->is_public) {
    // The token first: without it, not even which paths exist is revealed.
    const auto where = app::admin_endpoint(node);
    if (auto refusal = auth_refusal(request.authorization, where.token, where.bind)) {
      Response r = error_response(401, *refusal);
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"basalt\"");
      co_return r;
    }
  }
  if (!route && !write) co_return error_response(404, "no such endpoint: " + std::string(path));
  const std::string allow = route && write ? "GET, POST" : write ? "POST" : "GET";
  if (request.method == "GET" && route) co_return route->view(node, param);
  if (request.method != "POST" || !write) co_return not_allowed(request.method, allow);
  if (write->sync) co_return write->sync(node, request.body);
  Response r = co_await write->async(node, std::move(request.body));
  co_return r;
}

}  // namespace basalt::http
