// node/replication/replication.cpp — role changes and their persistence, the startup decision
// between the persisted role and the configured replicaof, and what runs both sides (start,
// stop, cron, configuration changes).
#include "node/replication/replication.h"

#include <sstream>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace asio = boost::asio;

Replication::Replication(core::Node& node)
    : node_(node), master_(node), link_(node), failover_(node, *this) {
  alerts_.set_listener([this](const LagAlertEvent& event) { on_lag_alert(event); });
}

Replication::~Replication() = default;

void Replication::start() {
  auto& repl = node_.repl();
  const std::string& configured = node_.config().replicaof;
  bool meta_decides = repl.role != "master" || repl.master_repl_offset > 0;
  if (repl.role != "master") {
    log::info("role from the data directory: replica of {}:{} (offset {}){}", repl.master_host,
              repl.master_port, repl.master_repl_offset,
              configured.empty() ? "" : "; the configured replicaof is ignored");
    node_.keyspace().active_expiry = false;
    link_.follow_master();
    return;
  }
  if (configured.empty()) return;
  if (meta_decides) {
    log::warn(
        "the data directory says this node is a master with history (offset {}); the "
        "configured replicaof '{}' is ignored (use REPLICAOF to change roles)",
        repl.master_repl_offset, configured);
    return;
  }
  std::istringstream words(configured);
  std::string host;
  int port = 0;
  if (words >> host >> port && !(host == "no" || host == "NO")) {
    log::info("role from the configuration: replica of {}:{}", host, port);
    replicaof(host, port);  // a failure is logged; the node stays a master
  }
}

void Replication::cron(uint64_t now_ms) {
  master_.cron(now_ms);
  evaluate_lag_alerts(now_ms);
}

void Replication::on_config_changed(const std::string& name) {
  if (name == "replica-allow-empty-master-sync" && node_.config().replica_allow_empty_master_sync)
    link_.retry_now();  // the operator override: try the refused master now
}

void Replication::stop() {
  link_.stop();
  master_.stop();
}

std::string Replication::replicaof(const std::string& host, int port) {
  // Durable first: a crash after the reply must come back as a replica of this master.
  if (std::string error = node_.repl_state().become_replica(host, port); !error.empty())
    return error;
  node_.keyspace().active_expiry = false;
  link_.on_new_master();
  // Our own replicas resync with us: we may now follow another history.
  master_.disconnect_replicas();
  log::info("REPLICAOF {}:{} enabled", host, port);
  link_.follow_master();
  return "";
}

std::string Replication::promote() {
  const auto& repl = node_.repl();
  if (repl.role == "master") return "";
  // Keep the history we shared with our old master as the previous id (replicas that
  // followed it up to our offset can continue with us); durable first: a crash after the
  // reply must come back as this master, replid2 kept.
  if (std::string error = node_.repl_state().promote(); !error.empty()) return error;
  link_.end_for_promotion();
  node_.keyspace().active_expiry = true;
  node_.pipeline().reset_stream_db();
  log::info("MASTER MODE enabled: new replication id {}, previous {} valid up to offset {}",
            repl.replid, repl.replid2, repl.second_replid_offset - 1);
  return "";
}

asio::awaitable<std::string> Replication::replicaof_between_groups(std::string host, int port) {
  std::string error;
  co_await node_.pipeline().run_at_quiescent_point([&] { error = replicaof(host, port); });
  co_return error;
}

asio::awaitable<std::string> Replication::promote_between_groups() {
  std::string error;
  co_await node_.pipeline().run_at_quiescent_point([&] { error = promote(); });
  co_return error;
}

}  // namespace basalt::replication
