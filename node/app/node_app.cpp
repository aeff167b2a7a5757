// node/app/node_app.cpp — see node_app.h.
#include "node/app/node_app.h"

#include "node/commands/dispatcher.h"
#include "node/commands/scripting/script_host.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/expiry/active_expiry.h"
#include "node/replication/replication.h"

namespace basalt::app {

NodeApp::NodeApp(boost::asio::io_context& io, config::Config config)
    : node_(std::make_unique<core::Node>(io, std::move(config))) {}

NodeApp::~NodeApp() {
  // Work still on the blocking pool (a heavy read at shutdown: node/core/heavy_read.h) ends
  // first, while the command runner and the store it uses are there.
  if (node_) node_->blocking_pool().join();
  // The parts go before the node they refer to.
  expiry_.reset();
  dispatcher_.reset();
  replication_.reset();
  if (node_) commands::detach_scripting(*node_);
}

bool NodeApp::open(std::string& error) {
  if (!node_->open(error)) return false;
  replication_ = std::make_unique<replication::Replication>(*node_);
  dispatcher_ = std::make_unique<commands::Dispatcher>(*node_, *replication_);
  expiry_ = std::make_unique<expiry::ActiveExpiry>(*node_);
  node_->set_command_runner(*dispatcher_);
  node_->pipeline().set_exec_runner(*dispatcher_);
  // The users (requirepass, `user` lines, the aclfile) resolve command and category names
  // against the table, so they are built once it is there.
  if (!node_->acl().init(commands::table().all(), node_->config(), error)) return false;
  commands::attach_scripting(*node_);  // the Lua interpreter, created at start-up
  auto* replication = replication_.get();
  auto* expiry = expiry_.get();
  node_->pipeline().set_on_commit([replication](uint64_t offset, std::string_view bytes) {
    replication->master().on_commit(offset, bytes);
  });
  node_->add_cron_hook([expiry](uint64_t) { expiry->cycle(); });
  node_->add_cron_hook([replication](uint64_t now) { replication->cron(now); });
  node_->add_config_hook(
      [replication](const std::string& name) { replication->on_config_changed(name); });
  // Replication stops first: no link may start applying a stream while the node drains.
  node_->add_shutdown_hook([replication] { replication->stop(); });
  return true;
}

void NodeApp::start() {
  node_->start();
  replication_->start();
}

}  // namespace basalt::app
