// node/util/stream.h — one connection's byte stream: a plain TCP socket, or TLS over one
// (Boost.Asio SSL on OpenSSL), chosen when the connection starts. The RESP session, the
// replica feed after PSYNC and the replica's link to its master read and write through it,
// so each of those loops exists once. The choice costs one branch per read or write call:
// no virtual call, no extra copy. It models Asio's AsyncReadStream / AsyncWriteStream, so
// asio::async_write and friends work on it.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace basalt::util {

class Stream {
 public:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<tcp::socket>;
  using executor_type = tcp::socket::executor_type;

  // Plain TCP.
  explicit Stream(tcp::socket socket) : plain_(std::move(socket)) {}
  // TLS over `socket` with `context` (kept alive as long as the stream); the caller runs
  // the handshake (tls()->async_handshake) before any read or write.
  Stream(tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context)
      : plain_(socket.get_executor()),
        context_(std::move(context)),
        tls_(std::in_place, std::move(socket), *context_) {}

  executor_type get_executor() { return plain_.get_executor(); }
  bool is_tls() const { return tls_.has_value(); }
  // The TLS layer, or null for a plain stream.
  TlsStream* tls() { return tls_ ? &*tls_ : nullptr; }
  // The TCP socket underneath (options, endpoints, close).
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_)
            tls_->async_read_some(b, std::move(handler));
          else
            plain_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_)
            tls_->async_write_some(b, std::move(handler));
          else
            plain_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

  // Shuts the TCP connection down both ways and closes it (no TLS close_notify: the peer
  // sees the connection end, as with a plain socket); safe to call more than once.
  void close() {
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  tcp::socket plain_;  // the socket of a plain stream; unused (closed) under TLS
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::optional<TlsStream> tls_;
};

}  // namespace basalt::util
