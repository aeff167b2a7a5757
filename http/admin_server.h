// http/admin_server.h — the admin API's listener: binds http-bind:http-port (refusing to run
// beyond loopback without http-token), accepts on the node's event loop and hands each
// connection to a session (session.h), at most http-max-connections at once. Endpoints:
// router.h; bodies: json_views.h, metrics.h.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

struct SessionCount;

class AdminServer {
 public:
  explicit AdminServer(app::NodeApp& node);
  ~AdminServer();
  // False with a message if the API must not or cannot listen (the node then exits).
  bool listen(std::string& error);
  void start();
  void stop();

 private:
  app::NodeApp& node_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::shared_ptr<SessionCount> sessions_;
};

}  // namespace basalt::http
