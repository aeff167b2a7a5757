// node/server/admission.cpp — see admission.h.
#include "node/server/admission.h"

#include "node/core/client.h"
#include "node/core/node.h"

namespace basalt::server {

namespace {
constexpr std::string_view kMaxClients = "-ERR max number of clients reached\r\n";
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
bool protected_mode_refuses(core::Node& node, const boost::asio::ip::tcp::socket& socket) {
  const auto& config = node.config();
  if (!config.protected_mode || !node.acl().default_user().nopass()) return false;
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  return ec || !core::is_loopback_ip(remote.address().to_string());
}
}  // namespace

std::string_view admission_refusal(core::Node& node, const boost::asio::ip::tcp::socket& socket) {
  if (node.clients().size() >= static_cast<size_t>(node.config().maxclients)) {
    ++node.stats().rejected_connections;
    return kMaxClients;
  }
  if (protected_mode_refuses(node, socket)) {
    ++node.stats().rejected_connections;
    return kProtectedModeDenied;
  }
  return {};
}

}  // namespace basalt::server
