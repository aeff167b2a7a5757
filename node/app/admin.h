// node/app/admin.h — the narrow interface through which the HTTP admin API reads and steers
// the node (it never touches RocksDB, the command table or the replication classes directly).
// Every function runs on the node's event loop and returns plain values.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace basalt::app {

class NodeApp;

// What /health reports: cheap (no disk walk), so it can be polled often.
struct AdminHealth {
  bool stopping = false;  // SHUTDOWN is under way
  // The store: "ok" or "failing" (writes refused), the error, since when (unix ms).
  std::string storage_status;
  std::string storage_error;
  uint64_t storage_failing_since_ms = 0;
};

struct AdminStatus : AdminHealth {
  std::string role;
  std::string replid;
  std::string replid2;
  uint64_t master_repl_offset = 0;
  std::string master_link_status;      // replicas: "up" or "down"; empty on a master
  std::string sync_refused_reason;     // replicas: why the master is refused (empty: it is not)
  std::string master_link_last_error;  // replicas: why the link last went down ("" if never)
  uint64_t stream_apply_failures = 0;  // replicas: times applying the stream stopped
  std::string divergent_writes_file;   // the last file divergent writes were kept in
  uint64_t connected_clients = 0;
  std::vector<uint64_t> keys_per_db;
  uint64_t uptime_seconds = 0;
  uint64_t total_commands_processed = 0;
  uint64_t write_groups = 0;
  uint64_t expired_keys = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t disk_bytes = 0;
};

AdminHealth admin_health(NodeApp& app);
AdminStatus admin_status(NodeApp& app);

// One replica attached to this node (master side).
struct AdminReplica {
  std::string ip;
  int port = 0;             // its listening port (REPLCONF listening-port)
  std::string state;        // wait_bgsave, send_bulk, online
  uint64_t ack_offset = 0;  // last REPLCONF ACK
  uint64_t lag_bytes = 0;   // master_repl_offset - ack_offset
  double lag_seconds = 0;   // since its last ACK
};

// GET /replication: the replication state, the on-disk log, the link to our master (if a
// replica) and the replicas attached to us.
struct AdminReplication {
  std::string role;  // "master" or "replica"
  std::string replid;
  std::string replid2;
  int64_t second_repl_offset = -1;  // -1: replid2 is not valid (as Redis shows it)
  uint64_t master_repl_offset = 0;
  // The on-disk log: first and last byte held (0, 0 when empty) and its size in bytes.
  uint64_t log_first_offset = 0;
  uint64_t log_last_offset = 0;
  uint64_t log_size_bytes = 0;
  uint64_t log_max_size = 0;
  std::string failover_state;  // master_failover_state: no-failover, waiting-for-sync, ...
  // Replica side (empty / zero on a master).
  std::string master_host;
  int master_port = 0;
  std::string link_state;  // none, connect, connecting, handshake, sync, connected
  bool link_up = false;
  bool sync_in_progress = false;
  int64_t last_io_seconds_ago = -1;  // -1: never heard from the master
  int64_t link_down_seconds = -1;    // -1: up, or never went down
  std::string link_last_error;       // why the link last went down
  std::string sync_refused_reason;   // why the master is refused ("" if it is not)
  bool sync_refused_protects_data = false;
  uint64_t stream_apply_failures = 0;
  std::vector<AdminReplica> replicas;
  uint64_t sync_full = 0;
  uint64_t sync_partial_ok = 0;
  uint64_t sync_partial_err = 0;
};
AdminReplication admin_replication(NodeApp& app);

// GET /ready: a master serves; a replica once its link is up, its initial sync is done and it
// heard from its master at most http-ready-max-lag seconds ago. Never while stopping or while
// the store refuses writes. `reason` says why not ("" when ready).
struct AdminReady {
  bool ready = false;
  std::string reason;
};
AdminReady admin_ready(NodeApp& app);

// GET /alerts: the lag alerts (node/replication/lag_alerts.h) as plain values.
struct AdminAlert {
  std::string alert;    // replica_lag_bytes, replica_lag_seconds
  std::string scope;    // "replica" (raised by a master about a replica) or "link" (a replica)
  std::string replica;  // ip:port
  std::string master;   // host:port to read from instead
  uint64_t since_ms = 0;
  uint64_t threshold = 0;
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
};
struct AdminAlertEvent {
  std::string alert;
  std::string state;  // raised, cleared
  std::string scope;
  std::string replica;
  std::string master;
  uint64_t ts_ms = 0;
  uint64_t threshold = 0;
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
  std::string reason;  // for a clear
};
// One subject watched on the last tick, with its lag and its two alert states (metrics).
struct AdminLagSubject {
  std::string scope;
  std::string replica;
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
  bool bytes_alert = false;
  bool seconds_alert = false;
};
struct AdminAlerts {
  std::string node;  // this node's address
  uint64_t threshold_bytes = 0;
  uint64_t threshold_seconds = 0;
  std::vector<AdminAlert> active;
  std::vector<AdminAlertEvent> history;  // oldest first, at most history_length
  size_t history_length = 0;
  uint64_t raised_total = 0;
  std::vector<AdminLagSubject> subjects;
  std::string channel;  // the Pub/Sub channel the events are published on
};
AdminAlerts admin_alerts(NodeApp& app);

// Everything /metrics exposes beyond AdminStatus and AdminReplication.
struct AdminCommandStat {
  std::string name;
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};
struct AdminMetrics {
  AdminStatus status;
  AdminReplication replication;
  AdminAlerts alerts;
  std::vector<AdminCommandStat> commands;                     // by name
  std::vector<std::pair<std::string, uint64_t>> error_codes;  // ERR, WRONGTYPE, ... by code
  std::vector<uint64_t> expires_per_db;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_error_replies = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t storage_write_errors = 0;
  uint64_t storage_recoveries = 0;
  uint64_t storage_read_errors = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  // RocksDB's compaction and stall figures.
  uint64_t pending_compaction_bytes = 0;
  uint64_t running_compactions = 0;
  uint64_t families_needing_compaction = 0;
  uint64_t live_sst_bytes = 0;
  uint64_t write_stall_micros = 0;
  bool writes_stopped = false;
  // The record cache in front of RocksDB (node/core/record_cache.h).
  uint64_t record_cache_hits = 0;
  uint64_t record_cache_misses = 0;
  // The element cache beside it (KeyspaceShared::element_cache).
  uint64_t element_cache_hits = 0;
  uint64_t element_cache_misses = 0;
  // maxmemory: the logical dataset size it caps (INFO used_memory), the cap, evictions.
  uint64_t used_memory = 0;
  uint64_t maxmemory = 0;
  uint64_t evicted_keys = 0;
};
AdminMetrics admin_metrics(NodeApp& app);

// GET /config: every directive (CONFIG GET's table, same values) by name, sorted; `name`
// looks up one directive or alias (nullopt if there is none).
std::vector<std::pair<std::string, std::string>> admin_config(NodeApp& app);
std::optional<std::string> admin_config_get(NodeApp& app, const std::string& name);

// POST /config: CONFIG SET of every (name, value) at once, all-or-nothing; "" or the Redis
// error reply ("ERR ..."), nothing changed then.
std::string admin_config_set(NodeApp& app,
                             const std::vector<std::pair<std::string, std::string>>& pairs);
// POST /config/rewrite: CONFIG REWRITE; "" or the error ("ERR ...").
std::string admin_config_rewrite(NodeApp& app);

// POST /replicaof: REPLICAOF host port (or NO ONE when `host` is empty) through the role-change
// path between two write groups: `error` is "" (done, or `already` a replica of that master)
// or the error reply ("ERR ...", the old role kept).
struct AdminRoleChange {
  std::string error;
  bool already = false;
};
boost::asio::awaitable<AdminRoleChange> admin_replicaof(NodeApp& app, std::string host, int port);

// POST /failover: FAILOVER [TO host port [FORCE]] [TIMEOUT ms], or FAILOVER ABORT. `error` is
// "" (started, or aborted) or FAILOVER's error reply ("ERR FAILOVER already in progress.", ...);
// `state` is master_failover_state afterwards.
struct AdminFailoverRequest {
  bool abort = false;
  bool has_target = false;
  std::string host;
  int port = 0;
  uint64_t timeout_ms = 0;  // 0: none
  bool force = false;
};
struct AdminFailoverResult {
  std::string error;
  std::string state;
};
AdminFailoverResult admin_failover(NodeApp& app, const AdminFailoverRequest& request);

// POST /shutdown: SHUTDOWN [SAVE|NOSAVE] (call it once the answer is written).
void admin_shutdown(NodeApp& app, bool save);

// Where the admin API listens and how it guards itself (the http-* directives, read per
// request so CONFIG SET applies at once), and the event loop it runs on.
struct AdminEndpoint {
  std::string bind;
  int port = 0;
  std::string token;  // "" = none
  int read_timeout_seconds = 10;
  int max_connections = 64;
  uint64_t max_body_bytes = 1 << 20;
  // http-tls: the node's server TLS context (tls-cert-file, tls-key-file, ...) for new
  // connections and the client-certificate check (tls-auth-clients); null = plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  int tls_verify_mode = 0;
};
AdminEndpoint admin_endpoint(NodeApp& app);
boost::asio::io_context& admin_io(NodeApp& app);
// The INFO text of `section` ("default", "all", "everything" or a section name); "" for a
// section INFO does not know.
std::string admin_info(NodeApp& app, const std::string& section);

}  // namespace basalt::app
