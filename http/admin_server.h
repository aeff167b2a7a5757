// http/admin_server.h — the Boost.Beast admin API: GET /health, /status (JSON), /info
// (INFO text) and /metrics (Prometheus text). Reads the node through node/core/admin.h.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

namespace basalt::core {
class Node;
}

namespace basalt::http {

class AdminServer {
 public:
  explicit AdminServer(core::Node& node) : node_(node) {}
  bool listen(std::string& error);
  void start();
  void stop();

 private:
  core::Node& node_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

// Builds the response body for `target`; false if no such route.
bool route(core::Node& node, const std::string& target, std::string& content_type,
           std::string& body);

}  // namespace basalt::http
