// node/app/node_app.h — the composition root: builds the node's parts on top of the shared
// state (core::Node) and wires them together. The command dispatcher becomes the node's
// command runner; replication hears of every commit, runs on the cron tick, stops first on
// shutdown; the active expiry cycle runs on the cron tick. Nothing below this folder knows
// the parts above it; the RESP listener and the admin API are started by main.cpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "node/config/config.h"

namespace basalt::core {
class Node;
}
namespace basalt::commands {
class Dispatcher;
}
namespace basalt::replication {
class Replication;
}
namespace basalt::expiry {
class ActiveExpiry;
}

namespace basalt::app {

class NodeApp {
 public:
  NodeApp(boost::asio::io_context& io, config::Config config);
  ~NodeApp();
  NodeApp(const NodeApp&) = delete;
  NodeApp& operator=(const NodeApp&) = delete;

  // Opens the data directory and builds the parts; false with a message on failure.
  bool open(std::string& error);
  // Starts the write pipeline, the timers and replication (the link to a master, if any).
  void start();

  core::Node& node() { return *node_; }
  replication::Replication& replication() { return *replication_; }
  commands::Dispatcher& dispatcher() { return *dispatcher_; }

 private:
  std::unique_ptr<core::Node> node_;  // first: every part below refers to it
  std::unique_ptr<replication::Replication> replication_;
  std::unique_ptr<commands::Dispatcher> dispatcher_;
  std::unique_ptr<expiry::ActiveExpiry> expiry_;
};

}  // namespace basalt::app
