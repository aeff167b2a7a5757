// node/server/tls_accept.h — a client accepted on tls-port: the TLS handshake (under
// tls-handshake-timeout, peer certificates checked as tls-auth-clients says), the same
// admission checks as the plain port, then the ordinary connection coroutine over the TLS
// stream. A failed or timed-out handshake (a plaintext client, a client without a
// certificate) closes that connection only, and is logged at a bounded rate.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace basalt::core {
class Node;
}

namespace basalt::server {

boost::asio::awaitable<void> serve_tls_connection(core::Node& node,
                                                  boost::asio::ip::tcp::socket socket);

// Connections in their TLS handshake right now. The listener accepts at most maxclients of
// them at once (more are closed at accept), so a flood of silent connections holds at most
// that many descriptors, each for at most tls-handshake-timeout.
size_t tls_handshakes_in_progress();

}  // namespace basalt::server
