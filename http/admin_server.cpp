// http/admin_server.cpp — see admin_server.h.
#include "http/admin_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/auth.h"
#include "http/session.h"
#include "node/app/admin.h"
#include "node/util/accept_backoff.h"

namespace basalt::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

asio::awaitable<void> accept_loop(app::NodeApp& node, tcp::acceptor& acceptor,
                                  std::shared_ptr<SessionCount> sessions) {
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
    const app::AdminEndpoint endpoint = app::admin_endpoint(node);
    const auto limit = static_cast<size_t>(endpoint.max_connections);
    if (sessions->active >= limit && endpoint.tls_context) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over http-tls a plaintext 503 would be garbage: just close
    } else if (sessions->active >= limit) {
      asio::co_spawn(acceptor.get_executor(), refuse_session(std::move(socket)), asio::detached);
    } else {
      asio::co_spawn(acceptor.get_executor(), serve_session(node, std::move(socket), sessions),
                     asio::detached);
    }
  }
}

}  // namespace

AdminServer::AdminServer(app::NodeApp& node)
    : node_(node), sessions_(std::make_shared<SessionCount>()) {}

AdminServer::~AdminServer() = default;

bool AdminServer::listen(std::string& error) {
  const app::AdminEndpoint where = app::admin_endpoint(node_);
  if (std::string refusal = startup_refusal(where.bind, where.token); !refusal.empty()) {
    error = refusal;
    return false;
  }
  boost::system::error_code ec;
  std::string host = where.bind == "localhost" ? "127.0.0.1" : where.bind;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) {
    error = "Invalid http-bind address '" + where.bind + "'";
    return false;
  }
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(where.port));
  acceptor_ = std::make_unique<tcp::acceptor>(app::admin_io(node_));
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "Could not listen for the admin API on " + where.bind + ":" +
            std::to_string(where.port) + ": " + ec.message();
    acceptor_.reset();
    return false;
  }
  return true;
}

void AdminServer::start() {
  if (acceptor_) {
    asio::co_spawn(app::admin_io(node_), accept_loop(node_, *acceptor_, sessions_), asio::detached);
  }
}

void AdminServer::stop() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
}

}  // namespace basalt::http
