// node/server/server.cpp — see server.h.
#include "node/server/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sstream>

#include "node/core/client.h"
#include "node/core/node.h"
#include "node/server/connection.h"
#include "node/util/accept_backoff.h"
#include "node/util/log.h"

namespace basalt::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections "
    "from the outside.\r\n";

// protected-mode (Redis 7): while the default user needs no password, only loopback clients
// are served.
bool protected_mode_refuses(core::Node& node, const tcp::socket& socket) {
  const auto& config = node.config();
  if (!config.protected_mode || !node.acl().default_user().nopass()) return false;
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  return ec || !core::is_loopback_ip(remote.address().to_string());
}

asio::awaitable<void> accept_loop(core::Node& node, tcp::acceptor& acceptor) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  util::AcceptBackoff backoff("client");
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
    if (node.clients().size() >= static_cast<size_t>(node.config().maxclients)) {
      ++node.stats().rejected_connections;
      static const std::string msg = "-ERR max number of clients reached\r\n";
      boost::system::error_code wec;
      asio::write(socket, asio::buffer(msg), wec);
      continue;
    }
    if (protected_mode_refuses(node, socket)) {
      ++node.stats().rejected_connections;
      boost::system::error_code wec;
      asio::write(socket, asio::buffer(kProtectedModeDenied), wec);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_connection(node, std::move(socket)),
                   asio::detached);
  }
}
}  // namespace

bool Server::listen(std::string& error) {
  std::istringstream words(node_.config().bind);
  std::string addr;
  auto port = static_cast<unsigned short>(node_.config().port);
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
              ": " + ec.message() +
              (ec == asio::error::address_in_use
                   ? " (another server, maybe a redis-server service, is using this port;"
                     " choose another with --port)"
                   : "");
      return false;
    }
    acceptors_.push_back(std::move(acceptor));
  }
  if (acceptors_.empty()) {
    error = "No address to listen on (bind '" + node_.config().bind + "')";
    return false;
  }
  return true;
}

void Server::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(node_.io(), accept_loop(node_, *acceptor), asio::detached);
  }
}

void Server::stop() {
  for (auto& acceptor : acceptors_) {
    boost::system::error_code ec;
    acceptor->close(ec);
  }
}

}  // namespace basalt::server
