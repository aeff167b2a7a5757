// node/config/config_table.cpp — the directive table: every directive's name, whether CONFIG
// SET may change it, and how its value is parsed and printed (ConfigTable), with the aliases.
#include <algorithm>
#include <cctype>
#include <climits>
#include <set>

#include "node/config/config.h"
#include "node/protocol/numbers.h"

namespace basalt::config {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using Entry = ConfigTable::Entry;

// An integer directive (int or int64_t field) accepting lo..hi.
template <typename T>
Entry integer_entry(const char* name, T Config::*field, int64_t lo, int64_t hi, bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string& err) {
            int64_t n;
            if (!protocol::parse_i64(v, n)) {
              err = "argument couldn't be parsed into an integer";
              return false;
            }
            if (n < lo || n > hi) {
              err = "argument must be between " + std::to_string(lo) + " and " +
                    std::to_string(hi) + " inclusive";
              return false;
            }
            c.*field = static_cast<T>(n);
            return true;
          },
          [=](const Config& c) { return std::to_string(c.*field); }};
}

Entry int_entry(const char* name, int Config::*field, int64_t lo, int64_t hi, bool mut) {
  return integer_entry(name, field, lo, hi, mut);
}

Entry ll_entry(const char* name, int64_t Config::*field, int64_t lo, int64_t hi, bool mut) {
  return integer_entry(name, field, lo, hi, mut);
}

Entry memory_entry(const char* name, int64_t Config::*field, int64_t lo, bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string& err) {
            int64_t n;
            if (!parse_memory(v, n)) {
              err = "argument must be a memory value";
              return false;
            }
            if (n < lo) {
              err = "argument must be a memory value at least " + std::to_string(lo);
              return false;
            }
            c.*field = n;
            return true;
          },
          [=](const Config& c) { return std::to_string(c.*field); }};
}

// A size Redis parses as a memory value ("64", "1kb"): a negative value is not one.
Entry size_entry(const char* name, int64_t Config::*field, bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string& err) {
            int64_t n;
            if (!parse_memory(v, n) || n < 0) {
              err = "argument must be a memory value";
              return false;
            }
            c.*field = n;
            return true;
          },
          [=](const Config& c) { return std::to_string(c.*field); }};
}

Entry bool_entry(const char* name, bool Config::*field, bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string& err) {
            std::string l = lower(v);
            if (l == "yes")
              c.*field = true;
            else if (l == "no")
              c.*field = false;
            else {
              err = "argument must be 'yes' or 'no'";
              return false;
            }
            return true;
          },
          [=](const Config& c) { return std::string(c.*field ? "yes" : "no"); }};
}

Entry string_entry(const char* name, std::string Config::*field, bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string&) {
            c.*field = v;
            return true;
          },
          [=](const Config& c) { return c.*field; }};
}

Entry enum_entry(const char* name, std::string Config::*field, std::vector<std::string> values,
                 bool mut) {
  return {name, mut,
          [=](Config& c, const std::string& v, std::string& err) {
            std::string l = lower(v);
            if (std::find(values.begin(), values.end(), l) == values.end()) {
              err = "argument(s) must be one of the following: ";
              for (size_t i = 0; i < values.size(); ++i) err += (i ? ", " : "") + values[i];
              return false;
            }
            c.*field = l;
            return true;
          },
          [=](const Config& c) { return c.*field; }};
}

// replica-ignore-maxmemory: a bool as Redis parses it, but only "yes" is honoured (a basalt
// replica never evicts on its own; its master's DELs keep it identical), so "no" is refused.
Entry replica_ignore_maxmemory_entry() {
  Entry e = bool_entry("replica-ignore-maxmemory", &Config::replica_ignore_maxmemory, true);
  auto parse = e.set;
  e.set = [parse](Config& c, const std::string& v, std::string& err) {
    if (!parse(c, v, err)) return false;
    if (!c.replica_ignore_maxmemory) {
      c.replica_ignore_maxmemory = true;
      err = "basalt replicas never evict on their own (only 'yes' is supported)";
      return false;
    }
    return true;
  };
  return e;
}

}  // namespace

ConfigTable::ConfigTable() {
  entries_ = {
      int_entry("port", &Config::port, 0, 65535, false),
      string_entry("bind", &Config::bind, false),
      int_entry("maxclients", &Config::maxclients, 1, INT_MAX, true),
      int_entry("timeout", &Config::timeout, 0, INT_MAX, true),
      int_entry("tcp-backlog", &Config::tcp_backlog, 0, INT_MAX, false),
      int_entry("tcp-keepalive", &Config::tcp_keepalive, 0, INT_MAX, true),
      bool_entry("protected-mode", &Config::protected_mode, true),
      enum_entry("enable-debug-command", &Config::enable_debug_command, {"no", "yes", "local"},
                 false),
      string_entry("dir", &Config::dir, false),
      int_entry("databases", &Config::databases, 1, 65535, false),
      enum_entry("wal-sync", &Config::wal_sync, {"always", "everysec", "no"}, true),
      memory_entry("rocksdb-block-cache-size", &Config::rocksdb_block_cache_size, 1 << 20, false),
      memory_entry("rocksdb-write-buffer-size", &Config::rocksdb_write_buffer_size, 1 << 20, false),
      memory_entry("record-cache-size", &Config::record_cache_size, 0, true),
      memory_entry("element-cache-size", &Config::element_cache_size, 0, true),
      bool_entry("write-overlap", &Config::write_overlap, true),
      enum_entry("rocksdb-compression", &Config::rocksdb_compression,
                 {"none", "snappy", "lz4", "zstd"}, false),
      enum_entry("rocksdb-memtable", &Config::rocksdb_memtable, {"basalt", "rocksdb"}, false),
      int_entry("rocksdb-max-background-jobs", &Config::rocksdb_max_background_jobs, 1, 64, false),
      memory_entry("proto-max-bulk-len", &Config::proto_max_bulk_len, 1024 * 1024, true),
      memory_entry("client-query-buffer-limit", &Config::client_query_buffer_limit, 1024 * 1024,
                   true),
      int_entry("hz", &Config::hz, 1, 500, true),
      enum_entry("loglevel", &Config::loglevel, {"debug", "verbose", "notice", "warning"}, true),
      string_entry("logfile", &Config::logfile, false),
      string_entry("pidfile", &Config::pidfile, false),
      string_entry("requirepass", &Config::requirepass, true),
      string_entry("aclfile", &Config::aclfile, false),
      ll_entry("acllog-max-len", &Config::acllog_max_len, 0, LONG_MAX, true),
      enum_entry("acl-pubsub-default", &Config::acl_pubsub_default,
                 {"allchannels", "resetchannels"}, true),
      ll_entry("slowlog-log-slower-than", &Config::slowlog_log_slower_than, INT64_MIN, INT64_MAX,
               true),
      ll_entry("slowlog-max-len", &Config::slowlog_max_len, 0, INT64_MAX, true),
      ll_entry("busy-reply-threshold", &Config::busy_reply_threshold, 0, INT64_MAX, true),
      string_entry("replicaof", &Config::replicaof, false),
      string_entry("masterauth", &Config::masterauth, true),
      string_entry("masteruser", &Config::masteruser, true),
      memory_entry("repl-backlog-size", &Config::repl_backlog_size, 1024 * 1024, true),
      memory_entry("repl-log-max-size", &Config::repl_log_max_size, 1024 * 1024, true),
      int_entry("repl-timeout", &Config::repl_timeout, 1, INT_MAX, true),
      int_entry("repl-ping-replica-period", &Config::repl_ping_replica_period, 1, INT_MAX, true),
      bool_entry("replica-read-only", &Config::replica_read_only, true),
      bool_entry("replica-serve-stale-data", &Config::replica_serve_stale_data, true),
      bool_entry("replica-allow-empty-master-sync", &Config::replica_allow_empty_master_sync, true),
      int_entry("replica-priority", &Config::replica_priority, 0, INT_MAX, true),
      string_entry("replica-announce-ip", &Config::replica_announce_ip, true),
      int_entry("replica-announce-port", &Config::replica_announce_port, 0, 65535, true),
      int_entry("min-replicas-to-write", &Config::min_replicas_to_write, 0, INT_MAX, true),
      int_entry("min-replicas-max-lag", &Config::min_replicas_max_lag, 0, INT_MAX, true),
      memory_entry("maxmemory", &Config::maxmemory, 0, true),
      enum_entry("maxmemory-policy", &Config::maxmemory_policy,
                 {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                  "allkeys-lfu", "allkeys-random", "noeviction"},
                 true),
      int_entry("maxmemory-samples", &Config::maxmemory_samples, 1, INT_MAX, true),
      int_entry("lfu-log-factor", &Config::lfu_log_factor, 0, INT_MAX, true),
      int_entry("lfu-decay-time", &Config::lfu_decay_time, 0, INT_MAX, true),
      ll_entry("heavy-command-threshold", &Config::heavy_command_threshold, 0, LONG_MAX, true),
      replica_ignore_maxmemory_entry(),
      ll_entry("hash-max-listpack-entries", &Config::hash_max_listpack_entries, 0, LONG_MAX, true),
      size_entry("hash-max-listpack-value", &Config::hash_max_listpack_value, true),
      ll_entry("set-max-intset-entries", &Config::set_max_intset_entries, 0, LONG_MAX, true),
      ll_entry("zset-max-listpack-entries", &Config::zset_max_listpack_entries, 0, LONG_MAX, true),
      size_entry("zset-max-listpack-value", &Config::zset_max_listpack_value, true),
      int_entry("list-max-listpack-size", &Config::list_max_listpack_size, INT_MIN, INT_MAX, true),
      int_entry("list-compress-depth", &Config::list_compress_depth, 0, INT_MAX, true),
      int_entry("http-port", &Config::http_port, 0, 65535, false),
      string_entry("http-bind", &Config::http_bind, false),
      {"client-output-buffer-limit", true,
       [](Config& c, const std::string& v, std::string& err) {
         return parse_output_limits(v, c.client_output_buffer_limit, err);
       },
       [](const Config& c) { return format_output_limits(c.client_output_buffer_limit); }},
      string_entry("http-token", &Config::http_token, true),
      int_entry("http-read-timeout", &Config::http_read_timeout, 1, 3600, true),
      int_entry("http-max-connections", &Config::http_max_connections, 1, 100000, true),
      memory_entry("http-max-body", &Config::http_max_body, 1024, true),
      int_entry("http-ready-max-lag", &Config::http_ready_max_lag, 1, INT_MAX, true),
      memory_entry("replica-lag-alert-bytes", &Config::replica_lag_alert_bytes, 0, true),
      int_entry("replica-lag-alert-seconds", &Config::replica_lag_alert_seconds, 0, INT_MAX, true),
      {"replica-max-lag-reads", true,
       [](Config& c, const std::string& v, std::string& err) {
         return parse_lag_limit(v, c.replica_max_lag_reads, err);
       },
       [](const Config& c) { return format_lag_limit(c.replica_max_lag_reads); }},
      bool_entry("http-tls", &Config::http_tls, false),
      int_entry("tls-port", &Config::tls_port, 0, 65535, true),
      string_entry("tls-cert-file", &Config::tls_cert_file, true),
      string_entry("tls-key-file", &Config::tls_key_file, true),
      string_entry("tls-key-file-pass", &Config::tls_key_file_pass, true),
      string_entry("tls-client-cert-file", &Config::tls_client_cert_file, true),
      string_entry("tls-client-key-file", &Config::tls_client_key_file, true),
      string_entry("tls-client-key-file-pass", &Config::tls_client_key_file_pass, true),
      string_entry("tls-ca-cert-file", &Config::tls_ca_cert_file, true),
      string_entry("tls-ca-cert-dir", &Config::tls_ca_cert_dir, true),
      enum_entry("tls-auth-clients", &Config::tls_auth_clients, {"no", "yes", "optional"}, true),
      bool_entry("tls-replication", &Config::tls_replication, true),
      string_entry("tls-protocols", &Config::tls_protocols, true),
      string_entry("tls-ciphers", &Config::tls_ciphers, true),
      string_entry("tls-ciphersuites", &Config::tls_ciphersuites, true),
      bool_entry("tls-prefer-server-ciphers", &Config::tls_prefer_server_ciphers, true),
      bool_entry("tls-session-caching", &Config::tls_session_caching, true),
      ll_entry("tls-session-cache-size", &Config::tls_session_cache_size, 0, INT_MAX, true),
      int_entry("tls-session-cache-timeout", &Config::tls_session_cache_timeout, 0, INT_MAX, true),
      int_entry("tls-handshake-timeout", &Config::tls_handshake_timeout, 1, 3600, true),
  };
  for (const auto& name : passthrough_directives()) {
    entries_.push_back({name, true,
                        [name](Config& c, const std::string& v, std::string&) {
                          c.passthrough[name] = v;
                          return true;
                        },
                        [name](const Config& c) {
                          auto it = c.passthrough.find(name);
                          return it == c.passthrough.end() ? std::string() : it->second;
                        }});
  }
}

const ConfigTable& ConfigTable::instance() {
  static const ConfigTable table;
  return table;
}

const std::map<std::string, std::string>& ConfigTable::aliases() {
  static const std::map<std::string, std::string> aliases = {
      {"slaveof", "replicaof"},
      {"slave-read-only", "replica-read-only"},
      {"slave-serve-stale-data", "replica-serve-stale-data"},
      {"slave-priority", "replica-priority"},
      {"slave-announce-ip", "replica-announce-ip"},
      {"slave-announce-port", "replica-announce-port"},
      {"min-slaves-to-write", "min-replicas-to-write"},
      {"min-slaves-max-lag", "min-replicas-max-lag"},
      {"repl-ping-slave-period", "repl-ping-replica-period"},
      {"hash-max-ziplist-entries", "hash-max-listpack-entries"},
      {"hash-max-ziplist-value", "hash-max-listpack-value"},
      {"zset-max-ziplist-entries", "zset-max-listpack-entries"},
      {"zset-max-ziplist-value", "zset-max-listpack-value"},
      {"list-max-ziplist-size", "list-max-listpack-size"},
      {"lua-time-limit", "busy-reply-threshold"}};
  return aliases;
}

const ConfigTable::Entry* ConfigTable::find(const std::string& name) const {
  std::string key = lower(name);
  if (auto a = aliases().find(key); a != aliases().end()) key = a->second;
  for (const auto& e : entries_) {
    if (e.name == key) return &e;
  }
  return nullptr;
}

}  // namespace basalt::config
