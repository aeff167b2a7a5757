// http/write_views.cpp — see write_views.h.
#include "http/write_views.h"

#include <boost/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "node/app/admin.h"

namespace basalt::http {

namespace json = boost::json;

namespace {

// The body as a JSON object; `empty_ok` treats a missing body as {}. On failure, `error` is
// the 400's message.
std::optional<json::object> parse_object(const std::string& body, bool empty_ok,
                                         std::string& error) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty_ok) return json::object{};
    error = "a JSON object body is required";
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    error = "malformed JSON body: " + ec.message();
    return std::nullopt;
  }
  if (!v.is_object()) {
    error = "the body must be a JSON object";
    return std::nullopt;
  }
  return std::move(v.as_object());
}

// A directive's value as CONFIG SET takes it: a string, an integer or a boolean (yes / no).
std::optional<std::string> config_value(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_bool()) return std::string(v.as_bool() ? "yes" : "no");
  return std::nullopt;
}

// Only `allowed` keys; otherwise the 400's message.
std::string unknown_field(const json::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : o) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) return "unknown field: " + std::string(key);
  }
  return "";
}

json::object role_object(app::NodeApp& node) {
  auto r = app::admin_replication(node);
  json::object o;
  o["role"] = r.role;
  if (r.role == "replica") {
    o["master_host"] = r.master_host;
    o["master_port"] = r.master_port;
  }
  o["replid"] = r.replid;
  o["master_repl_offset"] = r.master_repl_offset;
  return o;
}

}  // namespace

Response config_set_view(app::NodeApp& node, const std::string& body) {
  std::string error;
  auto o = parse_object(body, false, error);
  if (!o) return error_response(400, error);
  if (o->empty()) return error_response(400, "no directive given");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [key, value] : *o) {
    auto text = config_value(value);
    if (!text) {
      return error_response(
          400, "the value of " + std::string(key) + " must be a string, an integer or a boolean");
    }
    pairs.emplace_back(std::string(key), std::move(*text));
  }
  error = app::admin_config_set(node, pairs);
  if (!error.empty()) return error_response(400, error);
  json::array changed;
  for (const auto& [name, value] : pairs) changed.emplace_back(name);
  return json_response(200, json::object{{"changed", std::move(changed)}});
}

Response config_rewrite_view(app::NodeApp& node, const std::string& body) {
  std::string error;
  auto o = parse_object(body, true, error);
  if (!o) return error_response(400, error);
  if (!o->empty()) return error_response(400, "this endpoint takes no fields");
  error = app::admin_config_rewrite(node);
  if (!error.empty()) return error_response(409, error);
  return json_response(200, json::object{{"rewritten", true}});
}

boost::asio::awaitable<Response> replicaof_view(app::NodeApp& node, std::string body) {
  std::string error;
  auto o = parse_object(body, false, error);
  if (!o) co_return error_response(400, error);
  if (error = unknown_field(*o, {"host", "port", "no_one"}); !error.empty()) {
    co_return error_response(400, error);
  }
  const json::value* no_one = o->if_contains("no_one");
  const json::value* host = o->if_contains("host");
  const json::value* port = o->if_contains("port");
  if (no_one && (!no_one->is_bool() || !no_one->as_bool())) {
    co_return error_response(400, "no_one must be true");
  }
  if (no_one && (host || port)) {
    co_return error_response(400, "give either no_one or host and port");
  }
  std::string host_text;
  int port_number = 0;
  if (!no_one) {
    if (!host || !host->is_string() || host->as_string().empty()) {
      co_return error_response(400, "host must be a non-empty string (or give no_one)");
    }
    // (Boost.JSON keeps every integer that fits as int64; larger ones are out of range anyway.)
    if (!port || !port->is_int64() || port->as_int64() < 0 || port->as_int64() > 65535) {
      co_return error_response(400, "port must be an integer from 0 to 65535");
    }
    host_text = std::string(host->as_string());
    port_number = static_cast<int>(port->as_int64());
  }
  app::AdminRoleChange change = co_await app::admin_replicaof(node, host_text, port_number);
  if (!change.error.empty()) co_return error_response(409, change.error);
  json::object out = role_object(node);
  if (change.already) out["already_connected"] = true;
  co_return json_response(200, out);
}

Response failover_view(app::NodeApp& node, const std::string& body) {
  std::string error;
  auto o = parse_object(body, true, error);
  if (!o) return error_response(400, error);
  if (error = unknown_field(*o, {"host", "port", "timeout_ms", "force", "abort"}); !error.empty())
    return error_response(400, error);
  app::AdminFailoverRequest request;
  const json::value* abort = o->if_contains("abort");
  const json::value* host = o->if_contains("host");
  const json::value* port = o->if_contains("port");
  const json::value* timeout = o->if_contains("timeout_ms");
  const json::value* force = o->if_contains("force");
  if (abort) {
    if (!abort->is_bool() || !abort->as_bool()) return error_response(400, "abort must be true");
    if (o->size() != 1) return error_response(400, "abort takes no other field");
    request.abort = true;
  }
  if (host || port) {
    if (!host || !host->is_string() || host->as_string().empty())
      return error_response(400, "host must be a non-empty string (with port)");
    if (!port || !port->is_int64() || port->as_int64() < 0 || port->as_int64() > 65535)
      return error_response(400, "port must be an integer from 0 to 65535 (with host)");
    request.has_target = true;
    request.host = std::string(host->as_string());
    request.port = static_cast<int>(port->as_int64());
  }
  if (timeout) {
    if (!timeout->is_int64() || timeout->as_int64() <= 0)
      return error_response(400, "timeout_ms must be a positive integer");
    request.timeout_ms = static_cast<uint64_t>(timeout->as_int64());
  }
  if (force) {
    if (!force->is_bool()) return error_response(400, "force must be a boolean");
    request.force = force->as_bool();
    if (request.force && (!request.has_target || request.timeout_ms == 0))
      return error_response(400, "force requires host, port and timeout_ms");
  }
  app::AdminFailoverResult result = app::admin_failover(node, request);
  if (!result.error.empty()) return error_response(409, result.error);
  return json_response(request.abort ? 200 : 202, json::object{{"failover_state", result.state}});
}

Response shutdown_view(app::NodeApp& node, const std::string& body) {
  std::string error;
  auto o = parse_object(body, true, error);
  if (!o) return error_response(400, error);
  if (error = unknown_field(*o, {"save"}); !error.empty()) return error_response(400, error);
  bool save = true;
  if (const json::value* s = o->if_contains("save")) {
    if (!s->is_bool()) return error_response(400, "save must be a boolean");
    save = s->as_bool();
  }
  Response r = json_response(202, json::object{{"shutting_down", true}});
  r.after_write = [&node, save] { app::admin_shutdown(node, save); };
  return r;
}

}  // namespace basalt::http
