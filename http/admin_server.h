// http/admin_server.h — the Boost.Beast admin API: GET /health, /status (JSON), /info
// (INFO text) and /metrics (Prometheus text). Reads the node through node/app/admin.h.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

class AdminServer {
 public:
  explicit AdminServer(app::NodeApp& node) : node_(node) {}
  bool listen(std::string& error);
  void start();
  void stop();

 private:
  app::NodeApp& node_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

// Builds the response body for `target`; false if no such route.
bool route(app::NodeApp& node, const std::string& target, std::string& content_type,
           std::string& body);

}  // namespace basalt::http
