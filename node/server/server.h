// node/server/server.h — the RESP listener: binds the configured addresses and spawns one
// connection coroutine per accepted client (refusing clients past maxclients).
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
  // Binds every address of `bind` on `port`; false with a clear message if one is unusable.
  bool listen(std::string& error);
  void start();
  void stop();

 private:
  core::Node& node_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
};

}  // namespace basalt::server
