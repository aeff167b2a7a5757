// node/server/tls_accept.cpp — see tls_accept.h.
#include "node/server/tls_accept.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>

#include "node/core/node.h"
#include "node/server/admission.h"
#include "node/server/connection.h"
#include "node/util/log.h"
#include "node/util/log_rate.h"
#include "node/util/stream.h"

namespace basalt::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

size_t handshakes_in_progress = 0;  // the node runs on one thread

struct HandshakeInProgress {
  HandshakeInProgress() { ++handshakes_in_progress; }
  ~HandshakeInProgress() { --handshakes_in_progress; }
  HandshakeInProgress(const HandshakeInProgress&) = delete;
  HandshakeInProgress& operator=(const HandshakeInProgress&) = delete;
};

std::string peer_text(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return "?";
  return remote.address().to_string() + ":" + std::to_string(remote.port());
}

// Anyone who reaches the port can make handshakes fail: at most 10 lines per 10 s.
void log_handshake_failure(const std::string& peer, const std::string& why) {
  static util::LogRate rate(10, std::chrono::seconds(10));
  uint64_t suppressed = 0;
  if (!rate.allow(suppressed)) return;
  if (suppressed > 0) {
    log::warn("Error accepting a TLS client connection: {} (addr={}; {} more not logged)", why,
              peer, suppressed);
  } else {
    log::warn("Error accepting a TLS client connection: {} (addr={})", why, peer);
  }
}
}  // namespace

size_t tls_handshakes_in_progress() {
  return handshakes_in_progress;
}

asio::awaitable<void> serve_tls_connection(core::Node& node, tcp::socket socket) {
  using namespace asio::experimental::awaitable_operators;
  auto context = node.tls().server();
  if (!context) {
    log::warn("TLS client refused: no TLS context loaded");
    co_return;
  }
  const std::string peer = peer_text(socket);
  std::optional<HandshakeInProgress> handshaking(std::in_place);
  util::Stream stream(std::move(socket), std::move(context));
  boost::system::error_code ec;
  stream.tls()->set_verify_mode(
      core::TlsContexts::client_verify_mode(node.config().tls_auth_clients), ec);
  asio::steady_timer timer(stream.get_executor());
  timer.expires_after(std::chrono::seconds(node.config().tls_handshake_timeout));
  auto result = co_await (stream.tls()->async_handshake(asio::ssl::stream_base::server, kNoThrow) ||
                          timer.async_wait(kNoThrow));
  if (result.index() != 0) {
    log_handshake_failure(peer, "handshake timed out (tls-handshake-timeout)");
    stream.close();
    co_return;
  }
  if (auto [hec] = std::get<0>(result); hec) {
    log_handshake_failure(peer, hec.message());
    stream.close();
    co_return;
  }
  handshaking.reset();
  if (node.shutting_down()) {
    stream.close();
    co_return;
  }
  if (auto refusal = admission_refusal(node, stream.socket()); !refusal.empty()) {
    timer.expires_after(std::chrono::seconds(node.config().tls_handshake_timeout));
    co_await (asio::async_write(stream, asio::buffer(refusal), kNoThrow) ||
              timer.async_wait(kNoThrow));
    stream.close();
    co_return;
  }
  co_await serve_connection(node, std::move(stream));
}

}  // namespace basalt::server
