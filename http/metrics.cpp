// http/metrics.cpp — see metrics.h. Names follow Prometheus conventions: a basalt_ prefix,
// base units (bytes, seconds), counters end in _total.
#include "http/metrics.h"

#include <spdlog/fmt/fmt.h>

#include <cmath>

#include "node/app/admin.h"

namespace basalt::http {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricsWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  current_ = name;
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void MetricsWriter::name_and_labels(const Labels& labels) {
  out_ += current_;
  if (labels.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out_ += ',';
    first = false;
    fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", k, escape_label_value(v));
  }
  out_ += "} ";
}

void MetricsWriter::sample(const Labels& labels, double value) {
  name_and_labels(labels);
  if (std::isnan(value))
    out_ += "NaN";
  else if (std::isinf(value))
    out_ += value > 0 ? "+Inf" : "-Inf";
  else
    fmt::format_to(std::back_inserter(out_), "{}", value);
  out_ += '\n';
}

void MetricsWriter::sample(const Labels& labels, uint64_t value) {
  name_and_labels(labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void MetricsWriter::sample(const Labels& labels, int64_t value) {
  name_and_labels(labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

namespace {

void one(MetricsWriter& w, std::string_view name, std::string_view type, std::string_view help,
         uint64_t value) {
  w.family(name, type, help);
  w.sample({}, value);
}

void command_families(MetricsWriter& w, const app::AdminMetrics& m) {
  w.family("basalt_command_calls_total", "counter", "Calls of each command.");
  for (const auto& c : m.commands) w.sample({{"command", c.name}}, c.calls);
  w.family("basalt_command_duration_seconds_total", "counter",
           "Time spent executing each command.");
  for (const auto& c : m.commands)
    w.sample({{"command", c.name}}, static_cast<double>(c.usec) / 1e6);
  w.family("basalt_command_rejected_calls_total", "counter",
           "Calls of each command refused before running (arity, auth, OOM, ...).");
  for (const auto& c : m.commands) w.sample({{"command", c.name}}, c.rejected_calls);
  w.family("basalt_command_failed_calls_total", "counter",
           "Calls of each command that ran and answered an error.");
  for (const auto& c : m.commands) w.sample({{"command", c.name}}, c.failed_calls);
  w.family("basalt_errors_total", "counter", "Error replies by error code (ERR, WRONGTYPE, ...).");
  for (const auto& [code, count] : m.error_codes) w.sample({{"code", code}}, count);
  one(w, "basalt_error_replies_total", "counter", "Error replies sent.", m.total_error_replies);
  one(w, "basalt_commands_processed_total", "counter", "Commands processed.",
      m.status.total_commands_processed);
  one(w, "basalt_write_groups_total", "counter", "Write groups committed (one RocksDB write each).",
      m.status.write_groups);
}

void client_and_keyspace_families(MetricsWriter& w, const app::AdminMetrics& m) {
  one(w, "basalt_connected_clients", "gauge", "Client connections (replicas excluded).",
      m.status.connected_clients);
  one(w, "basalt_connections_received_total", "counter", "Connections accepted.",
      m.total_connections_received);
  one(w, "basalt_rejected_connections_total", "counter", "Connections refused (maxclients).",
      m.rejected_connections);
  one(w, "basalt_net_input_bytes_total", "counter", "Bytes read from clients and the master.",
      m.net_input_bytes);
  one(w, "basalt_net_output_bytes_total", "counter", "Bytes written to clients and replicas.",
      m.net_output_bytes);
  w.family("basalt_keys", "gauge", "Keys per database.");
  for (size_t db = 0; db < m.status.keys_per_db.size(); ++db)
    w.sample({{"db", std::to_string(db)}}, m.status.keys_per_db[db]);
  w.family("basalt_expires", "gauge", "Keys with a time to live per database.");
  for (size_t db = 0; db < m.expires_per_db.size(); ++db)
    w.sample({{"db", std::to_string(db)}}, m.expires_per_db[db]);
  one(w, "basalt_expired_keys_total", "counter", "Keys deleted because their TTL passed.",
      m.status.expired_keys);
  one(w, "basalt_evicted_keys_total", "counter", "Keys deleted to stay under maxmemory.",
      m.evicted_keys);
  one(w, "basalt_used_memory_bytes", "gauge",
      "The logical dataset size (keys and values) that maxmemory caps (INFO used_memory).",
      m.used_memory);
  one(w, "basalt_maxmemory_bytes", "gauge", "The maxmemory setting (0: no limit).", m.maxmemory);
  one(w, "basalt_keyspace_hits_total", "counter", "Key lookups that found the key.",
      m.keyspace_hits);
  one(w, "basalt_keyspace_misses_total", "counter", "Key lookups that did not find the key.",
      m.keyspace_misses);
  one(w, "basalt_uptime_seconds", "gauge", "Seconds since the process started.",
      m.status.uptime_seconds);
}

void replication_families(MetricsWriter& w, const app::AdminMetrics& m) {
  const auto& r = m.replication;
  w.family("basalt_replication_role", "gauge", "1 for the node's current role.");
  w.sample({{"role", r.role}}, uint64_t{1});
  one(w, "basalt_master_repl_offset", "gauge", "Replication offset (bytes of stream).",
      r.master_repl_offset);
  w.family("basalt_second_repl_offset", "gauge", "Offset up to which replid2 is valid (-1: none).");
  w.sample({}, r.second_repl_offset);
  one(w, "basalt_repl_log_bytes", "gauge", "Bytes held in the on-disk replication log.",
      r.log_size_bytes);
  one(w, "basalt_repl_log_first_offset", "gauge", "First offset held in the log (0: empty).",
      r.log_first_offset);
  one(w, "basalt_repl_log_max_bytes", "gauge", "Ceiling of the log (repl-log-max-size).",
      r.log_max_size);
  one(w, "basalt_connected_replicas", "gauge", "Replicas attached to this node.",
      r.replicas.size());
  w.family("basalt_replica_acked_offset", "gauge", "Last offset each replica acknowledged.");
  auto labels = [](const app::AdminReplica& rep) {
    return MetricsWriter::Labels{{"replica", rep.ip + ":" + std::to_string(rep.port)},
                                 {"state", rep.state}};
  };
  for (const auto& rep : r.replicas) w.sample(labels(rep), rep.ack_offset);
  w.family("basalt_replica_lag_bytes", "gauge", "Bytes each replica has not acknowledged yet.");
  for (const auto& rep : r.replicas) w.sample(labels(rep), rep.lag_bytes);
  w.family("basalt_replica_lag_seconds", "gauge",
           "Seconds since each replica's last ACK (-1 before the first).");
  for (const auto& rep : r.replicas) w.sample(labels(rep), rep.lag_seconds);
  one(w, "basalt_sync_full_total", "counter", "Full resyncs served to replicas.", r.sync_full);
  one(w, "basalt_sync_partial_ok_total", "counter", "Partial resyncs granted.", r.sync_partial_ok);
  one(w, "basalt_sync_partial_err_total", "counter", "Partial resyncs refused.",
      r.sync_partial_err);
  const bool replica = r.role == "replica";
  one(w, "basalt_master_link_up", "gauge", "1 if this replica's link to its master is up.",
      replica && r.link_up ? 1 : 0);
  one(w, "basalt_master_sync_refused", "gauge", "1 if this replica refuses its master.",
      replica && !r.sync_refused_reason.empty() ? 1 : 0);
  w.family("basalt_master_last_io_seconds", "gauge",
           "Seconds since this replica last heard from its master (-1: never, or a master).");
  w.sample({}, replica ? r.last_io_seconds_ago : int64_t{-1});
  one(w, "basalt_master_stream_apply_failures_total", "counter",
      "Times applying the master's stream stopped.", r.stream_apply_failures);
}

void alert_families(MetricsWriter& w, const app::AdminMetrics& m) {
  const auto& a = m.alerts;
  auto labels = [](const app::AdminLagSubject& s) {
    return MetricsWriter::Labels{{"scope", s.scope}, {"replica", s.replica}};
  };
  w.family("basalt_lag_bytes", "gauge",
           "Lag in bytes the alerts watch: per replica on a master (scope replica), this "
           "replica's received but unapplied stream (scope link).");
  for (const auto& s : a.subjects) w.sample(labels(s), s.lag_bytes);
  w.family("basalt_lag_seconds", "gauge",
           "Lag in seconds the alerts watch: age of the oldest byte a replica has not acked "
           "(scope replica), seconds since the master was last heard (scope link).");
  for (const auto& s : a.subjects) w.sample(labels(s), s.lag_seconds);
  w.family("basalt_alert_active", "gauge", "1 while a lag alert is raised.");
  for (const auto& s : a.subjects) {
    for (const char* alert : {"replica_lag_bytes", "replica_lag_seconds"}) {
      auto l = labels(s);
      l.insert(l.begin(), {"alert", alert});
      const bool on =
          std::string_view(alert) == "replica_lag_bytes" ? s.bytes_alert : s.seconds_alert;
      w.sample(l, static_cast<uint64_t>(on));
    }
  }
  one(w, "basalt_alerts_active", "gauge", "Lag alerts raised now.", a.active.size());
  one(w, "basalt_alerts_raised_total", "counter", "Lag alerts raised since the start.",
      a.raised_total);
  one(w, "basalt_lag_alert_threshold_bytes", "gauge", "replica-lag-alert-bytes (0: off).",
      a.threshold_bytes);
  one(w, "basalt_lag_alert_threshold_seconds", "gauge", "replica-lag-alert-seconds (0: off).",
      a.threshold_seconds);
}

void storage_families(MetricsWriter& w, const app::AdminMetrics& m) {
  one(w, "basalt_rocksdb_block_cache_bytes", "gauge", "RocksDB block cache usage.",
      m.status.block_cache_bytes);
  one(w, "basalt_rocksdb_memtable_bytes", "gauge", "RocksDB memtable usage.",
      m.status.memtable_bytes);
  one(w, "basalt_disk_bytes", "gauge", "Bytes the data directory's live files take on disk.",
      m.status.disk_bytes);
  one(w, "basalt_rocksdb_live_sst_bytes", "gauge", "Bytes of RocksDB's live SST files.",
      m.live_sst_bytes);
  one(w, "basalt_rocksdb_pending_compaction_bytes", "gauge",
      "Bytes RocksDB estimates compaction still has to rewrite.", m.pending_compaction_bytes);
  one(w, "basalt_rocksdb_running_compactions", "gauge", "Compactions running now.",
      m.running_compactions);
  one(w, "basalt_rocksdb_compaction_pending", "gauge", "Column families with a compaction pending.",
      m.families_needing_compaction);
  w.family("basalt_rocksdb_write_stall_seconds_total", "counter",
           "Time RocksDB delayed or stopped writes.");
  w.sample({}, static_cast<double>(m.write_stall_micros) / 1e6);
  one(w, "basalt_rocksdb_writes_stopped", "gauge", "1 while RocksDB stops writes.",
      m.writes_stopped ? 1 : 0);
  one(w, "basalt_record_cache_hits_total", "counter",
      "Reads answered from the record cache (no RocksDB lookup).", m.record_cache_hits);
  one(w, "basalt_record_cache_misses_total", "counter",
      "Reads the record cache could not answer (RocksDB was read).", m.record_cache_misses);
  one(w, "basalt_element_cache_hits_total", "counter",
      "Element reads answered from the element cache (no RocksDB lookup).", m.element_cache_hits);
  one(w, "basalt_element_cache_misses_total", "counter",
      "Element reads the element cache could not answer (RocksDB was read).",
      m.element_cache_misses);
  one(w, "basalt_storage_healthy", "gauge", "1 if the store accepts writes, 0 if it is failing.",
      m.status.storage_status == "ok" ? 1 : 0);
  one(w, "basalt_storage_write_errors_total", "counter", "Failed writes to the store.",
      m.storage_write_errors);
  one(w, "basalt_storage_recoveries_total", "counter", "Times the store resumed after failing.",
      m.storage_recoveries);
  one(w, "basalt_storage_read_errors_total", "counter", "Commands ended by a failed read.",
      m.storage_read_errors);
}

}  // namespace

std::string render_metrics(const app::AdminMetrics& m) {
  MetricsWriter w;
  command_families(w, m);
  client_and_keyspace_families(w, m);
  replication_families(w, m);
  alert_families(w, m);
  storage_families(w, m);
  return w.take();
}

}  // namespace basalt::http
