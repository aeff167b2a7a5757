// node/server/admission.h — whether a newly accepted client may stay: the refusals Redis
// makes before serving anyone (maxclients reached, protected mode), shared by the plain and
// the TLS listener, and counted in rejected_connections.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace basalt::core {
class Node;
}

namespace basalt::server {

// The error line to send before closing (counted as a rejected connection), or "" to serve.
std::string_view admission_refusal(core::Node& node, const boost::asio::ip::tcp::socket& socket);

}  // namespace basalt::server
