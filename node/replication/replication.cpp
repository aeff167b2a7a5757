// node/replication/replication.cpp — role changes and their persistence, and the startup
// decision between the persisted role and the configured replicaof.
#include "node/replication/replication.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <sstream>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/util/log.h"
#include "storage/meta.h"

namespace basalt::replication {

namespace asio = boost::asio;

Replication::Replication(core::Node& node) : last_ping_ms_(core::unix_time_ms()), node_(node) {}

Replication::~Replication() = default;

void Replication::ensure_master_client() {
  if (master_client_) return;
  master_client_ = &node_.add_client();
  master_client_->is_master_link = true;
  // The stream is the master's authority, not a client's request: like Redis's master
  // client it is never asked for a password (requirepass guards clients, not the link).
  master_client_->authenticated = true;
}

void Replication::start() {
  auto& repl = node_.repl();
  const std::string& configured = node_.config().replicaof;
  bool meta_decides = repl.role != "master" || repl.master_repl_offset > 0;
  if (repl.role != "master") {
    log::info("role from the data directory: replica of {}:{} (offset {}){}", repl.master_host,
              repl.master_port, repl.master_repl_offset,
              configured.empty() ? "" : "; the configured replicaof is ignored");
    node_.keyspace().active_expiry = false;
    ++link_epoch_;
    ensure_master_client();
    asio::co_spawn(node_.io(), link_loop(link_epoch_), asio::detached);
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
  // Masters ping their replicas through the stream, so a replica can tell a quiet master
  // from a dead link (repl-ping-replica-period).
  const auto& config = node_.config();
  if (!node_.is_replica() && !feeds_.empty() &&
      now_ms - last_ping_ms_ >= static_cast<uint64_t>(config.repl_ping_replica_period) * 1000) {
    last_ping_ms_ = now_ms;
    node_.pipeline().post([](core::Keyspace& ks) {
      std::string_view ping[] = {"PING"};
      if (ks.stream()) ks.stream()->append_command(ping);
    });
  }
  // Keep the on-disk log within repl-backlog-size (more for attached replicas, never more
  // than repl-log-max-size).
  trim_log();
}

void Replication::on_config_changed(const std::string& name) {
  if (name == "replica-allow-empty-master-sync" && node_.config().replica_allow_empty_master_sync)
    retry_link_now();  // the operator override: try the refused master now
}

void Replication::stop() {
  stopped_ = true;
  end_current_link();
  for (auto* w : waiters_) w->cancel();
}

void Replication::end_current_link() {
  retry_link_now();  // a link loop waiting to retry wakes up and sees the new epoch
  ++link_epoch_;
  if (link_socket_) {
    boost::system::error_code ec;
    link_socket_->close(ec);
  }
}

void Replication::kill_client(uint64_t id) {
  for (const auto& [client_id, client] : node_.clients()) {
    if (client_id == id && client->kill) client->kill();
  }
}

std::string Replication::replicaof(const std::string& host, int port) {
  // Durable first: a crash after the reply must come back as a replica of this master.
  if (std::string error = node_.repl_state().become_replica(host, port); !error.empty())
    return error;
  node_.keyspace().active_expiry = false;
  link_.refused_empty_master = false;
  link_.refused_reason.clear();
  link_.link_down_since_ms = core::unix_time_ms();
  // Our own replicas resync with us: we may now follow another history.
  for (auto* feed : feeds_) kill_client(feed->client_id);
  end_current_link();
  ensure_master_client();
  log::info("REPLICAOF {}:{} enabled", host, port);
  asio::co_spawn(node_.io(), link_loop(link_epoch_), asio::detached);
  return "";
}

std::string Replication::promote() {
  const auto& repl = node_.repl();
  if (repl.role == "master") return "";
  // Keep the history we shared with our old master as the previous id (replicas that
  // followed it up to our offset can continue with us); durable first: a crash after the
  // reply must come back as this master, replid2 kept.
  if (std::string error = node_.repl_state().promote(); !error.empty()) return error;
  end_current_link();
  node_.keyspace().active_expiry = true;
  node_.pipeline().reset_stream_db();
  link_.state = "none";
  link_.sync_in_progress = false;
  link_.refused_reason.clear();
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
