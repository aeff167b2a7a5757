// node/app/admin.cpp — see admin.h.
#include "node/app/admin.h"

#include "node/app/node_app.h"
#include "node/commands/server/info.h"
#include "node/core/node.h"
#include "node/replication/replication.h"

namespace basalt::app {

AdminHealth admin_health(NodeApp& app) {
  core::Node& node = app.node();
  AdminHealth h;
  h.stopping = node.shutting_down();
  const auto& health = node.storage_health();
  h.storage_status = health.writable() ? "ok" : "failing";
  h.storage_error = health.error();
  h.storage_failing_since_ms = health.failing_since_ms();
  return h;
}

AdminStatus admin_status(NodeApp& app) {
  core::Node& node = app.node();
  AdminStatus s;
  static_cast<AdminHealth&>(s) = admin_health(app);
  s.role = node.is_replica() ? "slave" : "master";
  s.replid = node.repl().replid;
  s.replid2 = node.repl().replid2;
  s.master_repl_offset = node.repl().master_repl_offset;
  if (node.is_replica()) {
    s.master_link_status = app.replication().link().up() ? "up" : "down";
    s.sync_refused_reason = app.replication().link().info().refused_reason;
    s.master_link_last_error = app.replication().link().info().last_error;
    s.stream_apply_failures = app.replication().link().info().apply_failures;
  }
  s.divergent_writes_file = app.replication().link().info().divergent_file;
  s.connected_clients = node.clients().size();
  s.keys_per_db = node.keyspace().key_counts;
  s.uptime_seconds = (core::unix_time_ms() - node.start_time_ms()) / 1000;
  s.total_commands_processed = node.stats().total_commands_processed;
  s.write_groups = node.stats().write_groups;
  s.expired_keys = node.keyspace().expired_keys;
  s.block_cache_bytes = node.engine().block_cache_usage();
  s.memtable_bytes = node.engine().memtable_usage();
  s.disk_bytes = node.engine().disk_usage();
  return s;
}

AdminEndpoint admin_endpoint(NodeApp& app) {
  core::Node& node = app.node();
  return {node.config().http_bind, node.config().http_port};
}

boost::asio::io_context& admin_io(NodeApp& app) {
  core::Node& node = app.node();
  return node.io();
}

std::string admin_info(NodeApp& app, const std::string& section) {
  core::Node& node = app.node();
  return commands::build_info(node, app.replication(), section);
}

}  // namespace basalt::app
