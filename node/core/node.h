// node/core/node.h — the state every part of the node works on: the config, the storage engine,
// the replication state, the keyspace state, the write pipeline, the registries (blocking,
// WATCH, Pub/Sub, MONITOR), the clients and the counters; it runs the timers. It knows no
// command, no replication link and no expiry policy: the composition root (node/app/) builds
// those on top of it and plugs them in (the command runner, cron and config hooks).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/config/config.h"
#include "node/core/acl.h"
#include "node/core/blocking.h"
#include "node/core/client.h"
#include "node/core/command_runner.h"
#include "node/core/heavy_read_gate.h"
#include "node/core/keyspace.h"
#include "node/core/monitors.h"
#include "node/core/pubsub_registry.h"
#include "node/core/repl_state.h"
#include "node/core/script_busy.h"
#include "node/core/slowlog.h"
#include "node/core/stats.h"
#include "node/core/tls_contexts.h"
#include "node/core/watch_registry.h"
#include "storage/engine.h"
#include "storage/health.h"
#include "storage/meta.h"
#include "storage/repl_log.h"

namespace basalt::core {

class WritePipeline;

uint64_t unix_time_ms();
uint64_t monotonic_us();

class Node {
 public:
  Node(boost::asio::io_context& io, config::Config config);
  ~Node();

  // Opens the data directory and loads the persisted state. False with a message on failure.
  bool open(std::string& error);
  // Starts the write pipeline and the timers.
  void start();
  // Stops accepting work (the shutdown hooks run first), drains the pipeline, optionally
  // flushes, and stops the io_context.
  void shutdown(bool save);
  bool shutting_down() const { return shutting_down_; }
  // Called first thing on shutdown (the listener closes its sockets).
  void add_shutdown_hook(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }

  boost::asio::io_context& io() { return io_; }
  boost::asio::thread_pool& blocking_pool() { return blocking_pool_; }
  config::Config& config() { return config_; }
  storage::Engine& engine() { return *engine_; }
  // Whether the store accepts writes, and why not (a full disk, an I/O error).
  storage::StorageHealth& storage_health() { return storage_health_; }
  storage::ReplLog& repl_log() { return *repl_log_; }
  // The replication state, read-only; it changes only through repl_state() (its one owner).
  const storage::ReplMeta& repl() const { return repl_state_->get(); }
  ReplState& repl_state() { return *repl_state_; }
  KeyspaceShared& keyspace() { return keyspace_; }
  // Heavy reads in flight (node/core/heavy_read.h).
  HeavyReadGate& heavy_reads() { return heavy_reads_; }
  Stats& stats() { return stats_; }
  SlowLog& slowlog() { return slowlog_; }
  Monitors& monitors() { return monitors_; }
  WritePipeline& pipeline() { return *pipeline_; }
  // The keys blocked clients wait on (BLPOP, BZPOPMIN, ...).
  BlockingRegistry& blocking() { return blocking_; }
  // WATCHed keys (MULTI/EXEC) and Pub/Sub subscriptions.
  WatchRegistry& watches() { return watches_; }
  PubSubRegistry& pubsub() { return pubsub_; }
  // The users, their rules and the ACL LOG.
  acl::Registry& acl() { return acl_; }
  // Whether a new connection starts authenticated (the default user is on and has nopass).
  bool default_user_open();
  // Closes every client running as `user` (ACL DELUSER, ACL LOAD), as Redis; they run
  // nothing more (their user is cleared at once); `self`, the client asking, closes after
  // its reply.
  void disconnect_user_clients(const acl::User* user, Client* self);
  // Whether a script runs right now (connections hold or answer -BUSY meanwhile).
  ScriptBusy& script_busy() { return script_busy_; }
  // Finds and runs commands (the commands part, plugged in by the composition root).
  CommandRunner& command_runner() const { return *runner_; }
  void set_command_runner(CommandRunner& runner) { runner_ = &runner; }
  // Work the parts above the core do on every cron tick (expiry, replication pings and log
  // trimming), and on a CONFIG SET of a directive they own.
  void add_cron_hook(std::function<void(uint64_t now_ms)> hook) {
    cron_hooks_.push_back(std::move(hook));
  }
  // Called once a full sync has swapped in a new dataset (the FUNCTION libraries reload).
  void add_dataset_replaced_hook(std::function<void()> hook) {
    dataset_replaced_hooks_.push_back(std::move(hook));
  }
  void dataset_replaced() {
    for (auto& hook : dataset_replaced_hooks_) hook();
  }
  void add_config_hook(std::function<void(const std::string& name)> hook) {
    config_hooks_.push_back(std::move(hook));
  }

  // Clients
  Client& add_client();
  // Counts the keys with a TTL per db from the records and stores the counts (directories
  // written before basalt kept them).
  bool count_keys_with_ttl(std::string& error);
  // Counts the dataset bytes per db (used_memory) and stores them (directories written
  // before basalt kept them; their collection records are upgraded on the way).
  bool recount_dataset_bytes(std::string& error);
  void remove_client(uint64_t id);
  const std::map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }

  const std::string& run_id() const { return run_id_; }
  uint64_t start_time_ms() const { return start_time_ms_; }
  uint64_t last_save_unix() const { return last_save_unix_; }
  void set_last_save_unix(uint64_t t) { last_save_unix_ = t; }
  // Expires when the node is destroyed; lets coroutine frames outliving it skip cleanup.
  std::weak_ptr<int> lifetime() const { return lifetime_; }
  bool is_replica() const { return repl_state_->is_replica(); }
  // SAVE: flushes memtables so the data lives in SST files.
  bool save(std::string& error);
  // BGSAVE: the same flush running on the blocking pool (INFO persistence reports it).
  bool bgsave_in_progress() const { return bgsave_in_progress_; }
  void set_bgsave_in_progress(bool v) { bgsave_in_progress_ = v; }
  // Applies a CONFIG SET that needs more than storing the value.
  void on_config_changed(const std::string& name);
  // Before a CONFIG SET keeps `updated`: "" or why directive `name` can't take its new value
  // (TLS: Redis's "Unable to update TLS configuration. Check server logs.", the reason logged).
  std::string check_config(const config::Config& updated, const std::string& name) const;
  // Who moves the TLS listener (the server, plugged in by main): CONFIG SET tls-port asks it
  // while checking the new value, so a port it cannot bind refuses the change.
  void set_tls_port_mover(std::function<bool(int port, std::string& error)> mover) {
    tls_port_mover_ = std::move(mover);
  }
  // The TLS contexts (loaded by open() when a tls-* directive asks for TLS).
  TlsContexts& tls() { return tls_; }

 private:
  void schedule_wal_sync();
  void schedule_cron();
  // While the store refuses writes: DB::Resume() on the blocking pool, with backoff.
  void try_storage_recovery(uint64_t now);
  void cron();
  void close_idle_clients(uint64_t now);
  // maxmemory-policy and the LFU settings reach the access tracker.
  void apply_eviction_settings();
  // Over maxmemory with an evicting policy: one eviction step in the next write group.
  void continue_evictions();

  boost::asio::io_context& io_;
  boost::asio::thread_pool blocking_pool_{2};
  config::Config config_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::ReplLog> repl_log_;
  storage::StorageHealth storage_health_;
  bool resume_in_flight_ = false;
  std::unique_ptr<ReplState> repl_state_;
  KeyspaceShared keyspace_;
  HeavyReadGate heavy_reads_;
  Stats stats_;
  TlsContexts tls_;
  SlowLog slowlog_;
  Monitors monitors_;
  CommandRunner* runner_ = nullptr;
  std::unique_ptr<WritePipeline> pipeline_;
  BlockingRegistry blocking_;
  WatchRegistry watches_;
  PubSubRegistry pubsub_;
  acl::Registry acl_;
  ScriptBusy script_busy_;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  uint64_t next_client_id_ = 1;
  std::string run_id_;
  uint64_t start_time_ms_ = 0;
  uint64_t last_save_unix_ = 0;
  bool bgsave_in_progress_ = false;
  bool shutting_down_ = false;
  bool eviction_queued_ = false;
  std::vector<std::function<void()>> shutdown_hooks_;
  boost::asio::steady_timer wal_timer_;
  boost::asio::steady_timer cron_timer_;
  std::vector<std::function<void(uint64_t)>> cron_hooks_;
  std::vector<std::function<void(const std::string&)>> config_hooks_;
  std::function<bool(int port, std::string& error)> tls_port_mover_;
  std::vector<std::function<void()>> dataset_replaced_hooks_;
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace basalt::core
