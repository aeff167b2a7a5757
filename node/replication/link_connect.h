// node/replication/link_connect.h — opens a connection to another node for replication (the
// replica's link to its master, FAILOVER's connection to its target): resolve, connect and,
// with tls-replication, the TLS client handshake (the peer's certificate checked against
// tls-ca-cert-file / -dir, ours from tls-client-cert-file or tls-cert-file), all within one
// deadline. The stream is plain or TLS; its users do not care which.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "node/util/stream.h"

namespace basalt::core {
class Node;
}

namespace basalt::replication {

// The connected stream, or nullopt with the reason in `error`.
boost::asio::awaitable<std::optional<util::Stream>> connect_link(core::Node& node,
                                                                 const std::string& host, int port,
                                                                 std::chrono::milliseconds timeout,
                                                                 std::string& error);

}  // namespace basalt::replication
