// node/server/connection.h — one client connection as one coroutine: read, parse every
// complete command, run them (through the write pipeline when any of them writes), and
// answer the whole read with one socket write.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace basalt::core {
class Node;
}

namespace basalt::server {

boost::asio::awaitable<void> serve_connection(core::Node& node,
                                              boost::asio::ip::tcp::socket socket);

}  // namespace basalt::server
