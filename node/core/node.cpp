// node/core/node.cpp — see node.h.
#include "node/core/node.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "node/core/eviction.h"
#include "node/core/memory_limit.h"
#include "node/core/write_pipeline.h"
#include "node/util/log.h"
#include "node/util/rocksdb_log.h"
#include "storage/meta.h"
#include "storage/types/dataset_recount.h"

namespace basalt::core {

namespace asio = boost::asio;

uint64_t unix_time_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

uint64_t monotonic_us() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

Node::Node(asio::io_context& io, config::Config config)
    : io_(io),
      config_(std::move(config)),
      blocking_(io.get_executor()),
      wal_timer_(io),
      cron_timer_(io) {}

Node::~Node() {
  blocking_pool_.join();
}

bool Node::open(std::string& error) {
  // TLS first: a certificate that does not load stops the start (never a plaintext fallback).
  if (TlsContexts::wanted(config_)) {
    if (std::string failed = tls_.load(config_); !failed.empty()) {
      error = "Failed to configure TLS: " + failed;
      return false;
    }
  }
  storage::EngineOptions options;
  options.dir = config_.dir;
  options.block_cache_bytes = static_cast<uint64_t>(config_.rocksdb_block_cache_size);
  options.write_buffer_bytes = static_cast<uint64_t>(config_.rocksdb_write_buffer_size);
  options.compression = config_.rocksdb_compression;
  options.basalt_memtable = config_.rocksdb_memtable == "basalt";
  options.max_background_jobs = config_.rocksdb_max_background_jobs;
  options.info_log = log::rocksdb_logger(rocksdb::InfoLogLevel::WARN_LEVEL);
  engine_ = storage::Engine::open(options, error);
  if (!engine_) return false;
  bool ok = true;
  engine_->set_wal_sync(storage::parse_wal_sync(config_.wal_sync, ok));
  repl_log_ = std::make_unique<storage::ReplLog>(*engine_);
  try {
    repl_state_ = std::make_unique<ReplState>(*engine_);
    if (std::string failed = repl_state_->load(); !failed.empty()) {
      error = failed;
      return false;
    }
    keyspace_.key_counts =
        storage::load_key_counts(*engine_, static_cast<size_t>(config_.databases));
    if (auto expires = storage::load_expire_counts(*engine_, keyspace_.key_counts.size()))
      keyspace_.expire_counts = std::move(*expires);
    if (auto bytes = storage::load_dataset_bytes(*engine_, keyspace_.key_counts.size()))
      keyspace_.dataset_bytes = std::move(*bytes);
  } catch (const storage::MetaError& e) {
    // Starting anyway would mean a new history or lost counts: refuse, say why.
    error = "refusing to start on data directory '" + config_.dir + "': " + e.what();
    return false;
  }
  keyspace_.engine = engine_.get();
  keyspace_.record_cache.set_budget(static_cast<size_t>(config_.record_cache_size));
  keyspace_.element_cache.set_budget(static_cast<size_t>(config_.element_cache_size));
  if (keyspace_.expire_counts.empty() && !count_keys_with_ttl(error)) return false;
  if (keyspace_.dataset_bytes.empty() && !recount_dataset_bytes(error)) return false;
  keyspace_.active_expiry = !is_replica();
  keyspace_.watches = &watches_;
  apply_eviction_settings();
  keyspace_.on_expired_read = [this](uint16_t db, std::string_view key) {
    pipeline_->post([db, key = std::string(key)](Keyspace& ks) { ks.expire_if_needed(db, key); });
  };
  run_id_ = storage::random_replid();
  start_time_ms_ = unix_time_ms();
  last_save_unix_ = start_time_ms_ / 1000;
  pipeline_ = std::make_unique<WritePipeline>(*this);
  log::info("data directory '{}' opened: replid {} offset {} ({})", config_.dir, repl().replid,
            repl().master_repl_offset, repl().has_history ? "existing history" : "new");
  return true;
}

void Node::start() {
  pipeline_->start();
  schedule_wal_sync();
  schedule_cron();
}

void Node::schedule_wal_sync() {
  wal_timer_.expires_after(std::chrono::seconds(1));
  wal_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    if (engine_->wal_sync() == storage::WalSync::EverySec) pipeline_->request_wal_sync();
    schedule_wal_sync();
  });
}

void Node::schedule_cron() {
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / std::max(1, config_.hz)));
  cron_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    cron();
    schedule_cron();
  });
}

void Node::try_storage_recovery(uint64_t now) {
  if (resume_in_flight_ || !storage_health_.resume_due(now)) return;
  resume_in_flight_ = true;
  asio::post(blocking_pool_, [this, alive = std::weak_ptr<int>(lifetime_)] {
    rocksdb::Status s = engine_->resume();
    asio::post(io_, [this, alive, s] {
      if (alive.expired()) return;
      resume_in_flight_ = false;
      bool was_failing = !storage_health_.writable();
      storage_health_.record_resume_attempt(s.ok() ? "" : s.ToString(), unix_time_ms());
      if (s.ok() && was_failing)
        log::info("storage recovered: writes are accepted again");
      else if (!s.ok())
        log::debug("storage still refuses writes: {}", s.ToString());
    });
  });
}

void Node::close_idle_clients(uint64_t now) {
  if (config_.timeout <= 0) return;
  uint64_t limit = static_cast<uint64_t>(config_.timeout) * 1000;
  for (auto& [id, client] : clients_) {
    // Replication links, MONITOR feeds, subscribers and blocked clients wait for the node,
    // not the other way round: never idle in this sense (Redis exempts them too).
    if (client->is_master_link || client->is_replica || client->is_monitor ||
        client->subscriptions > 0 || blocking_.is_blocked(id) || !client->kill)
      continue;
    if (now - client->last_interaction_ms > limit) {
      log::debug("closing idle client {} ({} s)", client->addr, config_.timeout);
      client->kill();
    }
  }
}

void Node::cron() {
  uint64_t now = unix_time_ms();
  stats_.ops.sample(monotonic_us(), stats_.total_commands_processed);
  try_storage_recovery(now);
  close_idle_clients(now);
  continue_evictions();
  for (auto& hook : cron_hooks_) hook(now);
}

void Node::apply_eviction_settings() {
  EvictionPolicy policy = parse_eviction_policy(config_.maxmemory_policy);
  keyspace_.access.set_lfu_params(config_.lfu_log_factor, config_.lfu_decay_time);
  keyspace_.access.set_mode(tracking_mode(policy), unix_time_ms());
  keyspace_.eviction_pool.clear();  // ranked for the previous policy
}

void Node::continue_evictions() {
  // A command evicts before it runs, within a bounded step; what a step left (or a lowered
  // maxmemory) is evicted here, one step per tick, through the write pipeline like any DEL.
  EvictionLimits limits = eviction_limits(config_);
  if (limits.maxmemory <= 0 || limits.policy == EvictionPolicy::NoEviction || is_replica() ||
      eviction_queued_ || !storage_health_.writable() ||
      used_memory(keyspace_) <= static_cast<uint64_t>(limits.maxmemory))
    return;
  eviction_queued_ = true;
  pipeline_->post([this](Keyspace& ks) {
    eviction_queued_ = false;
    if (!is_replica()) perform_evictions(ks, eviction_limits(config_));
  });
}

Client& Node::add_client() {
  auto client = std::make_unique<Client>();
  client->id = next_client_id_++;
  client->created_ms = unix_time_ms();
  client->last_interaction_ms = client->created_ms;
  client->user = &acl_.default_user();
  client->authenticated = default_user_open();
  Client& ref = *client;
  clients_[ref.id] = std::move(client);
  ++stats_.total_connections_received;
  return ref;
}

bool Node::count_keys_with_ttl(std::string& error) {
  // A directory from before the count was kept: count once (one pass over the records).
  keyspace_.expire_counts.assign(keyspace_.key_counts.size(), 0);
  std::unique_ptr<rocksdb::Iterator> it(
      engine_->db()->NewIterator(rocksdb::ReadOptions(), engine_->data_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint16_t db;
    std::string_view key;
    storage::RecordView record;
    std::string_view raw(it->value().data(), it->value().size());
    if (!storage::decode_data_key(std::string_view(it->key().data(), it->key().size()), db, key) ||
        !storage::decode_record(raw, record) || db >= keyspace_.expire_counts.size())
      continue;
    if (record.expire_at_ms) ++keyspace_.expire_counts[db];
  }
  rocksdb::WriteBatch batch;
  for (size_t db = 0; db < keyspace_.expire_counts.size(); ++db)
    storage::put_expire_count(batch, *engine_, static_cast<uint16_t>(db),
                              keyspace_.expire_counts[db]);
  rocksdb::Status s = engine_->write(&batch);
  if (!s.ok()) {
    error = "can't write to the data directory: " + s.ToString();
    return false;
  }
  return true;
}

bool Node::recount_dataset_bytes(std::string& error) {
  // A directory from before the dataset bytes were kept: one pass over the records.
  storage::types::DatasetRecount recount;
  if (!storage::types::recount_dataset(*engine_, keyspace_.key_counts.size(), recount, error))
    return false;
  keyspace_.dataset_bytes = std::move(recount.bytes);
  if (recount.keys == 0) return true;  // a new directory: nothing worth a line
  log::info("dataset bytes counted for used_memory: {} keys, {} collection records upgraded",
            recount.keys, recount.upgraded);
  return true;
}

void Node::remove_client(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  watches_.unwatch_all(*it->second);
  pubsub_.remove_client(*it->second);
  monitors_.remove(*it->second);
  clients_.erase(it);
}

bool Node::save(std::string& error) {
  rocksdb::Status s = engine_->flush();
  if (!s.ok()) {
    error = s.ToString();
    return false;
  }
  last_save_unix_ = unix_time_ms() / 1000;
  return true;
}

bool Node::default_user_open() {
  const acl::User& user = acl_.default_user();
  return user.enabled() && user.nopass();
}

void Node::disconnect_user_clients(const acl::User* user, Client* self) {
  for (auto& [id, client] : clients_) {
    if (client->user != user) continue;
    client->user = nullptr;
    client->authenticated = false;
    if (client.get() == self)
      client->close_after_reply = true;
    else if (client->kill)
      client->kill();
  }
}

void Node::on_config_changed(const std::string& name) {
  if (name == "wal-sync") {
    bool ok = true;
    engine_->set_wal_sync(storage::parse_wal_sync(config_.wal_sync, ok));
  } else if (name == "loglevel") {
    log::set_level(config_.loglevel);
  } else if (name == "requirepass") {
    acl_.set_default_password(config_.requirepass);
  } else if (name == "acl-pubsub-default") {
    acl_.set_all_channels_default(config_.acl_pubsub_default == "allchannels");
  } else if (name == "acllog-max-len") {
    acl_.trim_log(config_.acllog_max_len);
  } else if (name == "record-cache-size") {
    keyspace_.record_cache.set_budget(static_cast<size_t>(config_.record_cache_size));
  } else if (name == "element-cache-size") {
    keyspace_.element_cache.set_budget(static_cast<size_t>(config_.element_cache_size));
  } else if (name == "maxmemory-policy" || name == "lfu-log-factor" || name == "lfu-decay-time") {
    apply_eviction_settings();
  }
  if (name.starts_with("tls-") && TlsContexts::wanted(config_)) {
    // Checked by check_config before the value was kept; new connections use the result.
    if (std::string failed = tls_.load(config_); !failed.empty()) {
      log::warn("TLS configuration not reloaded: {}", failed);
    } else {
      log::info("TLS configuration reloaded ({})", name);
    }
  }
  if (name == "maxmemory" || name == "maxmemory-policy") continue_evictions();
  for (auto& hook : config_hooks_) hook(name);
}

std::string Node::check_config(const config::Config& updated, const std::string& name) const {
  if (name.starts_with("tls-") && TlsContexts::wanted(updated)) {
    if (std::string failed = TlsContexts::check(updated); !failed.empty()) {
      log::warn("CONFIG SET {}: {}", name, failed);
      return "Unable to update TLS configuration. Check server logs.";
    }
  }
  // Last, as Redis's applyTLSPort: the new port is bound here (the caller checks directives
  // with side effects after all others), so one that cannot be refuses the CONFIG SET.
  if (name == "tls-port" && updated.tls_port != config_.tls_port) {
    std::string why = "no listener to move";
    if (!tls_port_mover_ || !tls_port_mover_(updated.tls_port, why)) {
      log::warn("CONFIG SET tls-port {}: {}", updated.tls_port, why);
      return "Unable to listen on this port. Check server logs.";
    }
  }
  return "";
}

void Node::shutdown(bool save) {
  if (shutting_down_) return;
  shutting_down_ = true;
  log::info("shutting down: finishing queued writes");
  wal_timer_.cancel();
  cron_timer_.cancel();
  for (auto& hook : shutdown_hooks_) hook();
  for (auto& [id, client] : clients_) {
    if (client->kill) client->kill();
  }
  pipeline_->stop([this, save] {
    if (save) {
      std::string error;
      if (!this->save(error)) log::warn("flush before shutdown failed: {}", error);
    }
    if (storage_health_.writable()) {
      rocksdb::WriteBatch empty;
      rocksdb::Status s = engine_->write(&empty, true);
      if (!s.ok()) log::warn("WAL sync at shutdown failed: {}", s.ToString());
    } else {
      log::warn("exiting while the store refuses writes: {}", storage_health_.error());
    }
    log::info("basalt is now ready to exit, bye bye...");
    io_.stop();
  });
}

}  // namespace basalt::core
