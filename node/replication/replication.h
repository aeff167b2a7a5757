// node/replication/replication.h — the owner of both sides of replication and of the role
// changes between them. MasterSide (master_side.h) serves this node's replicas; ReplicaLink
// (replica_link.h) follows this node's master. Replication starts and stops them, runs the
// cron, and changes roles (REPLICAOF host port / NO ONE), each persisted in meta before it takes
// effect.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "node/replication/failover.h"
#include "node/replication/lag_alerts.h"
#include "node/replication/master_side.h"
#include "node/replication/replica_link.h"

namespace basalt::core {
class Node;
}

namespace basalt::replication {

class Replication {
 public:
  explicit Replication(core::Node& node);
  ~Replication();

  // Starts the link if the persisted role (or the startup replicaof) says replica.
  void start();
  void stop();
  // Every cron tick: pings the replicas through the stream, trims the log.
  void cron(uint64_t now_ms);
  // A CONFIG SET of a replication directive took effect.
  void on_config_changed(const std::string& name);

  // ---- role changes. Each writes the new role to meta (synced) before it takes effect, and
  // returns "" or the error reply (the old role is then kept). Called inside a write group
  // (EXEC) or at startup; elsewhere use the *_between_groups forms, which run between two
  // write groups so the promotion's second_replid_offset matches the offset on disk.
  std::string replicaof(const std::string& host, int port);
  std::string promote();  // REPLICAOF NO ONE
  boost::asio::awaitable<std::string> replicaof_between_groups(std::string host, int port);
  boost::asio::awaitable<std::string> promote_between_groups();

  // ---- the two sides
  MasterSide& master() { return master_; }
  const MasterSide& master() const { return master_; }
  ReplicaLink& link() { return link_; }
  const ReplicaLink& link() const { return link_; }
  Failover& failover() { return failover_; }
  const Failover& failover() const { return failover_; }

  // The two questions the dispatcher asks before a command (min-replicas-to-write,
  // replica-serve-stale-data).
  int good_replicas() const { return master_.good_replicas(); }
  bool link_up() const { return link_.up(); }

  // ---- lag (lag_watch.cpp)
  // The lag alerts, evaluated on every cron tick.
  const LagAlerts& alerts() const { return alerts_; }
  // What lags behind what right now: each replica of this master, or this replica's link.
  std::vector<LagObservation> observe_lag(uint64_t now_ms) const;
  // On a replica whose lag is above replica-max-lag-reads: the -LAGGING error a read gets
  // (naming the master); "" otherwise.
  std::string lagging_reads_refusal() const;
  // This node's address as others should reach it (replica-announce-ip / -port, else the
  // first bind address that is not a wildcard, else the host name).
  std::string own_address() const;
  // The channel lag alert events are published on, as JSON.
  static constexpr const char* kAlertChannel = "__basalt__:alerts";

 private:
  void evaluate_lag_alerts(uint64_t now_ms);
  void on_lag_alert(const LagAlertEvent& event);

  core::Node& node_;
  LagAlerts alerts_;
  MasterSide master_;
  ReplicaLink link_;
  Failover failover_;
};

}  // namespace basalt::replication
