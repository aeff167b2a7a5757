// node/server/server.h — the RESP listeners: binds the configured addresses on `port` (plain)
// and `tls-port` (TLS; either may be 0, not both) and spawns one connection coroutine per
// accepted client (refusing clients past maxclients).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

namespace basalt::core {
class Node;
}

namespace basalt::server {

class Server {
 public:
  explicit Server(core::Node& node) : node_(node) {}
  // Binds every address of `bind` on `port` and on `tls-port`; false with a clear message if
  // one is unusable.
  bool listen(std::string& error);
  void start();
  void stop();

 private:
  struct Listener {
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    bool tls;
  };
  bool listen_on(int port, bool tls, std::string& error);
  core::Node& node_;
  std::vector<Listener> acceptors_;
};

}  // namespace basalt::server
