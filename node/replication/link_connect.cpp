// node/replication/link_connect.cpp — see link_connect.h.
#include "node/replication/link_connect.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/core/node.h"

namespace basalt::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<std::optional<util::Stream>> connect_link(core::Node& node, const std::string& host,
                                                          int port,
                                                          std::chrono::milliseconds timeout,
                                                          std::string& error) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  const std::string where = host + ":" + std::to_string(port);
  std::shared_ptr<asio::ssl::context> context;
  if (node.config().tls_replication) {
    context = node.tls().client();
    if (!context) {
      error = "tls-replication is on but no TLS context is loaded";
      co_return std::nullopt;
    }
  }
  tcp::resolver resolver(node.io());
  auto [rec, endpoints] = co_await resolver.async_resolve(host, std::to_string(port), kNoThrow);
  if (rec) {
    error = "can't resolve " + host + ": " + rec.message();
    co_return std::nullopt;
  }
  asio::steady_timer timer(node.io());
  timer.expires_after(timeout);
  tcp::socket socket(node.io());
  auto connected =
      co_await (asio::async_connect(socket, endpoints, kNoThrow) || timer.async_wait(kNoThrow));
  if (connected.index() != 0 || std::get<0>(std::get<0>(connected))) {
    error = "can't connect to " + where;
    co_return std::nullopt;
  }
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (!context) co_return util::Stream(std::move(socket));

  util::Stream stream(std::move(socket), std::move(context));
  auto shaken = co_await (stream.tls()->async_handshake(asio::ssl::stream_base::client, kNoThrow) ||
                          timer.async_wait(kNoThrow));
  if (shaken.index() != 0) {
    error = "TLS handshake with " + where + " timed out";
    co_return std::nullopt;
  }
  if (auto [hec] = std::get<0>(shaken); hec) {
    error = "TLS handshake with " + where + " failed: " + hec.message();
    co_return std::nullopt;
  }
  co_return std::move(stream);
}

}  // namespace basalt::replication
