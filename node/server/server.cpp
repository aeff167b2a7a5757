// node/server/server.cpp — see server.h.
#include "node/server/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sstream>

#include "node/core/node.h"
#include "node/server/admission.h"
#include "node/server/connection.h"
#include "node/server/tls_accept.h"
#include "node/util/accept_backoff.h"
#include "node/util/log.h"
#include "node/util/stream.h"

namespace basalt::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Accepts clients on one listener; `tls` listeners hand each socket to the TLS handshake.
asio::awaitable<void> accept_loop(core::Node& node, tcp::acceptor& acceptor, bool tls) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  util::AcceptBackoff backoff(tls ? "TLS client" : "client");
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      if (ec == asio::error::connection_aborted) continue;  // the client gave up: try the next
      // Out of descriptors (EMFILE, ENFILE) or memory: wait, then try again; never give up.
      co_await backoff.wait_after(ec, acceptor.get_executor());
      continue;
    }
    backoff.succeeded();
    if (node.shutting_down()) break;
    if (tls && tls_handshakes_in_progress() >= static_cast<size_t>(node.config().maxclients)) {
      // As many handshakes under way as maxclients: no TLS yet to answer in, so just close.
      ++node.stats().rejected_connections;
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (tls) {
      // Refusals (maxclients, protected mode) are answered after the handshake, over TLS.
      asio::co_spawn(acceptor.get_executor(), serve_tls_connection(node, std::move(socket)),
                     asio::detached);
      continue;
    }
    if (auto refusal = admission_refusal(node, socket); !refusal.empty()) {
      boost::system::error_code wec;
      asio::write(socket, asio::buffer(refusal), wec);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_connection(node, util::Stream(std::move(socket))),
                   asio::detached);
  }
}
}  // namespace

bool Server::listen(std::string& error) {
  const auto& config = node_.config();
  if (config.port == 0 && config.tls_port == 0) {
    error = "Configured to not listen anywhere (port 0 and no tls-port)";
    return false;
  }
  if (config.port != 0 && !listen_on(config.port, false, acceptors_, error)) return false;
  if (config.tls_port != 0 && !listen_on(config.tls_port, true, acceptors_, error)) return false;
  return true;
}

bool Server::change_tls_port(int port, std::string& error) {
  std::vector<Listener> fresh;
  if (port != 0 && !listen_on(port, true, fresh, error)) return false;
  for (auto it = acceptors_.begin(); it != acceptors_.end();) {
    if (!it->tls) {
      ++it;
      continue;
    }
    boost::system::error_code ec;
    it->acceptor->close(ec);
    retired_.push_back(std::move(*it));
    it = acceptors_.erase(it);
  }
  for (auto& listener : fresh) {
    if (started_) {
      asio::co_spawn(node_.io(), accept_loop(node_, *listener.acceptor, true), asio::detached);
    }
    acceptors_.push_back(std::move(listener));
  }
  log::info("TLS clients are now accepted on {}",
            port == 0 ? std::string("no port") : "port " + std::to_string(port));
  return true;
}

bool Server::listen_on(int port_number, bool tls, std::vector<Listener>& out, std::string& error) {
  std::istringstream words(node_.config().bind);
  std::string addr;
  auto port = static_cast<unsigned short>(port_number);
  size_t bound = 0;
  while (words >> addr) {
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr = addr.substr(1);
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    if (ec) {
      error = "Invalid bind address '" + addr + "'";
      return false;
    }
    auto acceptor = std::make_unique<tcp::acceptor>(node_.io());
    tcp::endpoint endpoint(ip, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(node_.config().tcp_backlog, ec);
    if (ec) {
      if (optional) continue;
      error = "Could not create server TCP listening socket " + addr + ":" + std::to_string(port) +
              (tls ? " (TLS)" : "") + ": " + ec.message() +
              (ec == asio::error::address_in_use
                   ? " (another server, maybe a redis-server service, is using this port;"
                     " choose another with --port)"
                   : "");
      return false;
    }
    out.push_back({std::move(acceptor), tls});
    ++bound;
  }
  if (bound == 0) {
    error = "No address to listen on (bind '" + node_.config().bind + "')";
    return false;
  }
  return true;
}

void Server::start() {
  started_ = true;
  for (auto& listener : acceptors_) {
    asio::co_spawn(node_.io(), accept_loop(node_, *listener.acceptor, listener.tls),
                   asio::detached);
  }
}

void Server::stop() {
  for (auto& listener : acceptors_) {
    boost::system::error_code ec;
    listener.acceptor->close(ec);
  }
}

}  // namespace basalt::server
