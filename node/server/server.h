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
  // CONFIG SET tls-port: listens on `port` (0: nowhere) for TLS clients instead of the current
  // tls-port. The new sockets are bound before the old ones close: on failure nothing changes
  // and `error` says why. Clients already connected stay.
  bool change_tls_port(int port, std::string& error);

 private:
  struct Listener {
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    bool tls;
  };
  bool listen_on(int port, bool tls, std::vector<Listener>& out, std::string& error);
  core::Node& node_;
  std::vector<Listener> acceptors_;
  // Closed listeners whose accept loops may still be unwinding (they hold a reference).
  std::vector<Listener> retired_;
  bool started_ = false;
};

}  // namespace basalt::server
