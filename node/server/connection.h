// node/server/connection.h — one client connection as one coroutine: read, parse every
// complete command, run them (through the write pipeline when any of them writes), and
// answer the whole read with one socket write. The same code serves plain and TLS clients.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "node/util/stream.h"

namespace basalt::core {
class Node;
}

namespace basalt::server {

// Serves a client over `stream` (plain TCP, or TLS after its handshake).
boost::asio::awaitable<void> serve_connection(core::Node& node, util::Stream stream);

}  // namespace basalt::server
