// node/config/config.h — the node's settings: one table of directives (Redis names wherever
// Redis has one) used by the command line, the config file, CONFIG GET/SET and REWRITE.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "node/config/output_limits.h"

namespace basalt::config {

// A lag bound given either in bytes of stream or as a duration; both 0: off.
struct LagLimit {
  int64_t bytes = 0;
  int64_t ms = 0;
  bool off() const { return bytes == 0 && ms == 0; }
};

struct Config {
  // network
  int port = 6379;
  std::string bind = "127.0.0.1";
  int maxclients = 10000;
  int timeout = 0;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;  // seconds; 0 = no SO_KEEPALIVE
  // Without requirepass, refuse clients that connect from a non-loopback address (-DENIED).
  bool protected_mode = true;
  // Who may run DEBUG: "no", "yes", or "local" (loopback clients only). Fixed at start.
  std::string enable_debug_command = "no";
  // storage
  std::string dir = "./data";
  int databases = 16;
  std::string wal_sync = "everysec";
  int64_t rocksdb_block_cache_size = 256ll << 20;
  // Each memtable (one per column family) is a skiplist that random-key writes insert into;
  // 4 MB fits in this machine class's cache where 64 MB did not: random-key writes with -P 16
  // +13-34% (SET, HSET, SADD, ZADD, LPUSH; README, Benchmarks), sequential loads, GETs unchanged,
  // RSS 70 MB lower.
  int64_t rocksdb_write_buffer_size = 4ll << 20;
  int64_t record_cache_size = 64ll << 20;   // in-memory cache of committed records; 0 = off
  int64_t element_cache_size = 64ll << 20;  // the same for collection elements; 0 = off
  // yes: a group's write may run on its own thread while the next group runs (see
  // node/core/write_inflight.cpp); no (default): every write on the event loop.
  bool write_overlap = false;
  std::string rocksdb_compression = "lz4";
  // The memtables' skiplist: basalt's (storage/memtable_rep.h) or RocksDB's own.
  std::string rocksdb_memtable = "basalt";
  int rocksdb_max_background_jobs = 2;
  // protocol limits
  int64_t proto_max_bulk_len = 512ll << 20;
  int64_t client_query_buffer_limit = 1ll << 30;
  // server
  int hz = 10;
  std::string loglevel = "notice";
  std::string logfile;
  std::string pidfile;
  std::string requirepass;
  // ACL (node/core/acl.h): the ACL file (ACL SAVE / LOAD), or `user` lines from the config
  // file / command line (each "name rule rule ..."; not both); ACL LOG's length; whether new
  // users start with allchannels or resetchannels (Redis 7.0's default).
  std::string aclfile;
  std::vector<std::string> user_lines;
  int64_t acllog_max_len = 128;
  std::string acl_pubsub_default = "resetchannels";
  int64_t slowlog_log_slower_than = 10000;  // microseconds; negative: off, 0: every command
  int64_t slowlog_max_len = 128;
  // scripts: past it a script is stopped (milliseconds; 0: no limit). Alias lua-time-limit.
  int64_t busy_reply_threshold = 5000;
  // replication
  std::string replicaof;
  std::string masterauth;
  std::string masteruser;
  int64_t repl_backlog_size = 256ll << 20;
  // Hard ceiling on the on-disk replication log: a replica (or a stalled full-sync reader)
  // that needs older bytes is dropped and full syncs later, instead of filling the disk.
  int64_t repl_log_max_size = 1ll << 30;
  int repl_timeout = 60;
  int repl_ping_replica_period = 10;
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  // Lets a replica with data accept a full sync from an empty master with no shared history.
  bool replica_allow_empty_master_sync = false;
  int replica_priority = 100;
  std::string replica_announce_ip;
  int replica_announce_port = 0;
  int min_replicas_to_write = 0;
  int min_replicas_max_lag = 10;
  // memory: maxmemory caps the logical dataset size (INFO used_memory, see
  // storage/dataset_size.h); 0 = no limit. Above it a master evicts keys as the policy says
  // (node/core/eviction.h) before a write runs, or refuses deny-oom commands (-OOM).
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes per step of LFU counter decay
  // A *STORE, COPY or RENAME whose input keys hold at least this many elements in all runs
  // off the event loop as a heavy job (node/core/heavy_job.h); 0 = never.
  int64_t heavy_command_threshold = 10000;
  // Replicas never evict on their own (their master's DELs keep them identical): only "yes".
  bool replica_ignore_maxmemory = true;
  // Redis's small-collection encoding thresholds (Redis 7.0 names and defaults). basalt's
  // storage does not change with them; OBJECT ENCODING reports what Redis would use.
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  // admin
  int http_port = 0;  // 0 = admin API off
  std::string http_bind = "127.0.0.1";
  // Bearer token every admin endpoint but /health requires ("" = none; then the admin API
  // must bind to loopback only). Never logged.
  std::string http_token;
  int http_read_timeout = 10;         // seconds a request (or an idle keep-alive) may take
  int http_max_connections = 64;      // admin connections served at once; more get a 503
  int64_t http_max_body = 1ll << 20;  // larger request bodies get a 413
  // GET /ready on a replica: the most seconds since it last heard from its master.
  int http_ready_max_lag = 30;
  // lag alerts (node/replication/lag_alerts.h): raised above these, per replica on a master
  // and for its own link on a replica; 0 = off.
  int64_t replica_lag_alert_bytes = 0;
  int replica_lag_alert_seconds = 0;
  // A replica refuses reads (-LAGGING) while its lag is above this (bytes or a duration).
  LagLimit replica_max_lag_reads;

  // TLS (node/core/tls_contexts.h); Redis 7.0's names and defaults. A second listener on
  // tls-port (0 = none), the replica's link to its master (tls-replication) and the admin
  // API (http-tls, basalt's own) use the same certificate and key.
  int tls_port = 0;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  // The certificate the replication link presents to its master ("" = tls-cert-file).
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_auth_clients = "yes";  // yes | no | optional
  bool tls_replication = false;
  std::string tls_protocols;  // "" = "TLSv1.2 TLSv1.3"
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int64_t tls_session_cache_size = 20 * 1024;
  int tls_session_cache_timeout = 300;
  // Seconds a client on tls-port has to complete the TLS handshake (basalt's own).
  int tls_handshake_timeout = 10;
  bool http_tls = false;

  // client-output-buffer-limit (node/config/output_limits.h).
  OutputLimits client_output_buffer_limit;

  // Directives accepted for redis.conf compatibility that basalt does not act on.
  std::map<std::string, std::string> passthrough;
  // Absolute path of the config file, if one was given.
  std::string config_file;
};

class ConfigTable {
 public:
  struct Entry {
    std::string name;
    bool mutable_at_runtime;
    std::function<bool(Config&, const std::string&, std::string&)> set;
    std::function<std::string(const Config&)> get;
  };

  static const ConfigTable& instance();
  const Entry* find(const std::string& name) const;
  const std::vector<Entry>& entries() const { return entries_; }
  // Old names (alias -> directive), e.g. slaveof -> replicaof, hash-max-ziplist-entries ->
  // hash-max-listpack-entries. CONFIG GET patterns match them too, as in Redis 7.0.
  static const std::map<std::string, std::string>& aliases();

 private:
  ConfigTable();
  std::vector<Entry> entries_;
};

// Applies one directive (`name` lowercase, `value` its arguments joined by spaces).
// `at_runtime` refuses immutable directives (CONFIG SET).
bool apply_directive(Config& config, const std::string& name, const std::string& value,
                     bool at_runtime, std::string& error);

// CONFIG SET of several directives at once, all-or-nothing: every name is checked (known,
// mutable, given once) and every value parsed on a copy before `config` changes. Returns ""
// with the directives' names in `changed`, or Redis's error reply ("ERR ...") with `config`
// untouched. Names are as the client wrote them (Redis's errors quote those).
// `check` (optional) sees the new values before they are kept and may refuse one directive
// with a reason ("" = fine): TLS refuses certificates it cannot load.
using ConfigCheck = std::function<std::string(const Config& updated, const std::string& name)>;
std::string set_directives(Config& config,
                           const std::vector<std::pair<std::string, std::string>>& pairs,
                           std::vector<std::string>& changed, const ConfigCheck& check = {});

// Loads `path` (redis.conf syntax) into `config`. False with a Redis-style message on error.
bool load_file(Config& config, const std::string& path, std::string& error);

enum class ArgsOutcome { Run, Help, Version, Error };
// Parses `basalt [config-file] [--directive value ...]`.
ArgsOutcome parse_args(Config& config, int argc, char** argv, std::string& error);
std::string usage();

// Rewrites the config file with the current values (CONFIG REWRITE).
// `user_lines` ("user name rules...") replace the file's `user` lines (none when an aclfile
// holds the users, as Redis).
bool rewrite_file(const Config& config, const std::vector<std::string>& user_lines,
                  std::string& error);
inline bool rewrite_file(const Config& config, std::string& error) {
  return rewrite_file(config, {}, error);
}

// Parses "100", "1k", "2kb", "3mb", "1gb" as Redis's memtoll does.
bool parse_memory(const std::string& s, int64_t& out);
// replica-max-lag-reads: "0" (off), a memory value ("1mb", "500000": bytes) or a duration
// ("500ms", "5s"). Printed back as "0", "<bytes>" or "<n>ms".
bool parse_lag_limit(const std::string& s, LagLimit& out, std::string& error);
std::string format_lag_limit(const LagLimit& limit);
// The redis.conf directives basalt accepts but does not act on (node/config/passthrough.cpp).
const std::set<std::string>& passthrough_directives();

}  // namespace basalt::config
