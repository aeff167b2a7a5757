// http/admin_server.cpp — see admin_server.h.
#include "http/admin_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "node/app/admin.h"
#include "node/util/accept_backoff.h"
#include "node/util/log.h"

namespace basalt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

bool route(app::NodeApp& node, const std::string& target, std::string& content_type,
           std::string& body) {
  if (target == "/health") {
    content_type = "application/json";
    // The process serves; "storage" says whether it can also write (a full disk, an I/O
    // error make it "failing" while reads go on).
    auto st = app::admin_health(node);
    boost::json::object o;
    o["status"] = st.stopping ? "stopping" : "ok";
    o["storage"] = st.storage_status;
    if (!st.storage_error.empty()) o["storage_error"] = st.storage_error;
    body = boost::json::serialize(o);
    return true;
  }
  if (target == "/status") {
    auto s = app::admin_status(node);
    boost::json::object o;
    o["role"] = s.role;
    o["replid"] = s.replid;
    o["replid2"] = s.replid2;
    o["master_repl_offset"] = s.master_repl_offset;
    if (!s.master_link_status.empty()) {
      o["master_link_status"] = s.master_link_status;
      o["sync_refused_reason"] = s.sync_refused_reason;
      o["master_link_last_error"] = s.master_link_last_error;
      o["stream_apply_failures"] = s.stream_apply_failures;
    }
    o["divergent_writes_file"] = s.divergent_writes_file;
    o["storage_status"] = s.storage_status;
    o["storage_error"] = s.storage_error;
    o["storage_failing_since_ms"] = s.storage_failing_since_ms;
    o["connected_clients"] = s.connected_clients;
    boost::json::array keys;
    for (auto k : s.keys_per_db) keys.push_back(k);
    o["keys_per_db"] = keys;
    o["uptime_seconds"] = s.uptime_seconds;
    o["total_commands_processed"] = s.total_commands_processed;
    o["write_groups"] = s.write_groups;
    o["expired_keys"] = s.expired_keys;
    o["block_cache_bytes"] = s.block_cache_bytes;
    o["memtable_bytes"] = s.memtable_bytes;
    o["disk_bytes"] = s.disk_bytes;
    content_type = "application/json";
    body = boost::json::serialize(o);
    return true;
  }
  if (target == "/info" || target.rfind("/info/", 0) == 0) {
    content_type = "text/plain";
    body = app::admin_info(node, target.size() > 6 ? target.substr(6) : "default");
    return true;
  }
  if (target == "/metrics") {
    auto s = app::admin_status(node);
    uint64_t keys = 0;
    for (auto k : s.keys_per_db) keys += k;
    content_type = "text/plain; version=0.0.4";
    body = "basalt_master_repl_offset " + std::to_string(s.master_repl_offset) + "\n" +
           "basalt_connected_clients " + std::to_string(s.connected_clients) + "\n" +
           "basalt_keys " + std::to_string(keys) + "\n" + "basalt_commands_processed_total " +
           std::to_string(s.total_commands_processed) + "\n" + "basalt_write_groups_total " +
           std::to_string(s.write_groups) + "\n" + "basalt_expired_keys_total " +
           std::to_string(s.expired_keys) + "\n" + "basalt_block_cache_bytes " +
           std::to_string(s.block_cache_bytes) + "\n" + "basalt_memtable_bytes " +
           std::to_string(s.memtable_bytes) + "\n";
    return true;
  }
  return false;
}

namespace {
asio::awaitable<void> serve(app::NodeApp& node, tcp::socket socket) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    auto [ec, n] = co_await bhttp::async_read(socket, buffer, req, kNoThrow);
    if (ec) break;
    bhttp::response<bhttp::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    std::string type, body;
    if (req.method() != bhttp::verb::get) {
      res.result(bhttp::status::method_not_allowed);
      type = "application/json";
      body = R"({"error":"only GET is supported"})";
    } else if (route(node, std::string(req.target()), type, body)) {
      res.result(bhttp::status::ok);
    } else {
      res.result(bhttp::status::not_found);
      type = "application/json";
      body = R"({"error":"no such route"})";
    }
    res.set(bhttp::field::content_type, type);
    res.body() = std::move(body);
    res.prepare_payload();
    auto [wec, wn] = co_await bhttp::async_write(socket, res, kNoThrow);
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(app::NodeApp& node, tcp::acceptor& acceptor) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  util::AcceptBackoff backoff("admin API");
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      if (ec == asio::error::connection_aborted) continue;
      // Out of descriptors or memory: the API must come back once they are free again.
      co_await backoff.wait_after(ec, acceptor.get_executor());
      continue;
    }
    backoff.succeeded();
    asio::co_spawn(acceptor.get_executor(), serve(node, std::move(socket)), asio::detached);
  }
}
}  // namespace

bool AdminServer::listen(std::string& error) {
  boost::system::error_code ec;
  const app::AdminEndpoint where = app::admin_endpoint(node_);
  auto ip = asio::ip::make_address(where.bind, ec);
  if (ec) {
    error = "Invalid http-bind address '" + where.bind + "'";
    return false;
  }
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(where.port));
  acceptor_ = std::make_unique<tcp::acceptor>(app::admin_io(node_));
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(64, ec);
  if (ec) {
    error = "Could not listen for the admin API on " + where.bind + ":" +
            std::to_string(where.port) + ": " + ec.message();
    acceptor_.reset();
    return false;
  }
  return true;
}

void AdminServer::start() {
  if (acceptor_)
    asio::co_spawn(app::admin_io(node_), accept_loop(node_, *acceptor_), asio::detached);
}

void AdminServer::stop() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
}

}  // namespace basalt::http
