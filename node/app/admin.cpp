// node/app/admin.cpp — see admin.h. Reads the node's parts (core::Node, Replication, the config
// table) and copies what the admin API shows into plain structs.
#include "node/app/admin.h"

#include <algorithm>
#include <map>

#include "node/app/node_app.h"
#include "node/commands/server/info.h"
#include "node/config/config.h"
#include "node/core/memory_limit.h"
#include "node/core/node.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::app {

namespace {

int64_t seconds_since(uint64_t then_ms, uint64_t now_ms) {
  if (then_ms == 0) return -1;
  return static_cast<int64_t>((now_ms - std::min(now_ms, then_ms)) / 1000);
}

}  // namespace

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
  for (const auto& [id, client] : node.clients()) {
    if (!client->is_replica) ++s.connected_clients;
  }
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

AdminReplication admin_replication(NodeApp& app) {
  core::Node& node = app.node();
  const auto& repl = node.repl();
  const auto& replication = app.replication();
  const uint64_t now = core::unix_time_ms();
  AdminReplication r;
  r.role = node.is_replica() ? "replica" : "master";
  r.replid = repl.replid;
  r.replid2 = repl.replid2;
  r.second_repl_offset = repl.second_replid_offset;
  r.master_repl_offset = repl.master_repl_offset;
  // The log holds the bytes first..master_repl_offset (nothing when first is 0).
  const uint64_t first = node.repl_log().first_offset();
  if (first != 0 && repl.master_repl_offset >= first) {
    r.log_first_offset = first;
    r.log_last_offset = repl.master_repl_offset;
    r.log_size_bytes = repl.master_repl_offset - first + 1;
  }
  r.log_max_size = static_cast<uint64_t>(node.config().repl_log_max_size);
  r.failover_state = std::string(replication.failover().state_name());
  if (node.is_replica()) {
    const auto& link = replication.link().info();
    r.master_host = repl.master_host;
    r.master_port = repl.master_port;
    r.link_state = link.state;
    r.link_up = replication.link_up();
    r.sync_in_progress = link.sync_in_progress;
    r.last_io_seconds_ago = seconds_since(link.last_io_ms, now);
    if (!r.link_up) r.link_down_seconds = seconds_since(link.link_down_since_ms, now);
    r.link_last_error = link.last_error;
    r.sync_refused_reason = link.refused_reason;
    r.sync_refused_protects_data = link.refused_empty_master;
    r.stream_apply_failures = link.apply_failures;
  }
  for (const auto* feed : replication.master().feeds()) {
    AdminReplica out;
    out.ip = feed->ip;
    out.port = feed->listening_port;
    out.state = feed->state;
    out.ack_offset = feed->ack_offset;
    out.lag_bytes = repl.master_repl_offset - std::min(repl.master_repl_offset, feed->ack_offset);
    out.lag_seconds = feed->last_ack_ms
                          ? static_cast<double>(now - std::min(now, feed->last_ack_ms)) / 1000.0
                          : -1.0;
    r.replicas.push_back(std::move(out));
  }
  r.sync_full = node.stats().sync_full;
  r.sync_partial_ok = node.stats().sync_partial_ok;
  r.sync_partial_err = node.stats().sync_partial_err;
  return r;
}

AdminReady admin_ready(NodeApp& app) {
  core::Node& node = app.node();
  const auto health = admin_health(app);
  if (health.stopping) return {false, "shutting down"};
  if (health.storage_status != "ok") {
    return {false, "storage is failing: " + health.storage_error};
  }
  if (!node.is_replica()) return {true, ""};
  const auto& replication = app.replication();
  const auto& link = replication.link().info();
  if (!link.refused_reason.empty()) return {false, "master refused: " + link.refused_reason};
  if (link.sync_in_progress) return {false, "initial sync from the master in progress"};
  if (!replication.link_up()) {
    std::string why = "link to the master is " + link.state;
    if (!link.last_error.empty()) why += ": " + link.last_error;
    return {false, why};
  }
  const int64_t quiet = seconds_since(link.last_io_ms, core::unix_time_ms());
  const int max_lag = node.config().http_ready_max_lag;
  if (quiet < 0 || quiet > max_lag) {
    return {false, "nothing heard from the master for " + std::to_string(quiet) +
                       " s (http-ready-max-lag " + std::to_string(max_lag) + ")"};
  }
  return {true, ""};
}

AdminMetrics admin_metrics(NodeApp& app) {
  core::Node& node = app.node();
  AdminMetrics m;
  m.status = admin_status(app);
  m.replication = admin_replication(app);
  m.alerts = admin_alerts(app);
  const auto& stats = node.stats();
  std::map<std::string_view, const core::CommandCounters*> sorted;
  for (const auto& [spec, counters] : stats.commands) sorted.emplace(spec->name, &counters);
  for (const auto& [name, k] : sorted) {
    m.commands.push_back(
        {std::string(name), k->calls, k->usec, k->rejected_calls, k->failed_calls});
  }
  for (const auto& [code, count] : stats.error_codes) m.error_codes.emplace_back(code, count);
  m.expires_per_db = node.keyspace().expire_counts;
  m.expires_per_db.resize(m.status.keys_per_db.size());
  m.total_connections_received = stats.total_connections_received;
  m.rejected_connections = stats.rejected_connections;
  m.total_error_replies = stats.total_error_replies;
  m.keyspace_hits = node.keyspace().keyspace_hits;
  m.keyspace_misses = node.keyspace().keyspace_misses;
  m.storage_write_errors = node.storage_health().write_errors();
  m.storage_recoveries = node.storage_health().recoveries();
  m.storage_read_errors = stats.storage_read_errors;
  m.net_input_bytes = stats.total_net_input_bytes;
  m.net_output_bytes = stats.total_net_output_bytes;
  const auto compaction = node.engine().compaction_stats();
  m.pending_compaction_bytes = compaction.pending_compaction_bytes;
  m.running_compactions = compaction.running_compactions;
  m.families_needing_compaction = compaction.families_needing_compaction;
  m.live_sst_bytes = compaction.live_sst_bytes;
  m.write_stall_micros = compaction.write_stall_micros;
  m.writes_stopped = compaction.writes_stopped;
  m.record_cache_hits = node.keyspace().record_cache.hits();
  m.record_cache_misses = node.keyspace().record_cache.misses();
  m.element_cache_hits = node.keyspace().element_cache.hits();
  m.element_cache_misses = node.keyspace().element_cache.misses();
  m.used_memory = core::used_memory(node.keyspace());
  m.maxmemory = static_cast<uint64_t>(node.config().maxmemory);
  m.evicted_keys = node.keyspace().evicted_keys;
  return m;
}

AdminAlerts admin_alerts(NodeApp& app) {
  const auto& replication = app.replication();
  const auto& alerts = replication.alerts();
  const auto& c = app.node().config();
  AdminAlerts out;
  out.node = replication.own_address();
  out.threshold_bytes = static_cast<uint64_t>(c.replica_lag_alert_bytes);
  out.threshold_seconds = static_cast<uint64_t>(c.replica_lag_alert_seconds);
  for (const auto& a : alerts.active()) {
    out.active.push_back({a.alert, a.scope, a.replica, a.master, a.since_ms, a.threshold,
                          a.lag_bytes, a.lag_seconds});
  }
  for (const auto& e : alerts.history()) {
    out.history.push_back({e.alert, e.state, e.scope, e.replica, e.master, e.ts_ms, e.threshold,
                           e.lag_bytes, e.lag_seconds, e.reason});
  }
  out.history_length = replication::LagAlerts::kHistoryLength;
  out.raised_total = alerts.raised_total();
  // The subjects as of now (not the last tick), so a replica shows up at once.
  for (const auto& o : replication.observe_lag(core::unix_time_ms())) {
    AdminLagSubject s{o.scope, o.replica, o.lag_bytes, o.lag_seconds, false, false};
    for (const auto& a : alerts.active()) {
      if (a.scope != o.scope || a.replica != o.replica) continue;
      (a.alert == "replica_lag_bytes" ? s.bytes_alert : s.seconds_alert) = true;
    }
    out.subjects.push_back(std::move(s));
  }
  out.channel = replication::Replication::kAlertChannel;
  return out;
}

std::vector<std::pair<std::string, std::string>> admin_config(NodeApp& app) {
  const config::Config& config = app.node().config();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : config::ConfigTable::instance().entries()) {
    out.emplace_back(e.name, e.get(config));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> admin_config_get(NodeApp& app, const std::string& name) {
  const auto* entry = config::ConfigTable::instance().find(name);
  if (!entry) return std::nullopt;
  return entry->get(app.node().config());
}

std::string admin_config_set(NodeApp& app,
                             const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::string> changed;
  std::string error =
      config::set_directives(app.node().config(), pairs, changed,
                             [&app](const config::Config& updated, const std::string& name) {
                               return app.node().check_config(updated, name);
                             });
  if (error.empty()) {
    for (const auto& name : changed) app.node().on_config_changed(name);
  }
  return error;
}

std::string admin_config_rewrite(NodeApp& app) {
  std::string error;
  if (!config::rewrite_file(app.node().config(), app.node().acl().user_lines(), error))
    return "ERR " + error;
  return "";
}

boost::asio::awaitable<AdminRoleChange> admin_replicaof(NodeApp& app, std::string host, int port) {
  core::Node& node = app.node();
  AdminRoleChange out;
  if (node.shutting_down()) {
    out.error = "ERR the server is shutting down";
    co_return out;
  }
  if (host.empty()) {
    out.error = co_await app.replication().promote_between_groups();
    co_return out;
  }
  const auto& repl = node.repl();
  if (node.is_replica() && repl.master_host == host && repl.master_port == port) {
    out.already = true;
    co_return out;
  }
  out.error = co_await app.replication().replicaof_between_groups(host, port);
  co_return out;
}

AdminFailoverResult admin_failover(NodeApp& app, const AdminFailoverRequest& request) {
  auto& failover = app.replication().failover();
  AdminFailoverResult out;
  if (app.node().shutting_down()) {
    out.error = "ERR the server is shutting down";
  } else if (request.abort) {
    out.error = failover.abort();
  } else {
    out.error = failover.start(request.host, request.port, request.has_target, request.timeout_ms,
                               request.force);
  }
  out.state = std::string(failover.state_name());
  return out;
}

void admin_shutdown(NodeApp& app, bool save) {
  log::warn("Shutdown requested through the admin API...");
  app.node().shutdown(save);
}

AdminEndpoint admin_endpoint(NodeApp& app) {
  const config::Config& c = app.node().config();
  AdminEndpoint e;
  e.bind = c.http_bind;
  e.port = c.http_port;
  e.token = c.http_token;
  e.read_timeout_seconds = c.http_read_timeout;
  e.max_connections = c.http_max_connections;
  e.max_body_bytes = static_cast<uint64_t>(c.http_max_body);
  if (c.http_tls) {
    e.tls_context = app.node().tls().server();
    e.tls_verify_mode = core::TlsContexts::client_verify_mode(c.tls_auth_clients);
  }
  return e;
}

boost::asio::io_context& admin_io(NodeApp& app) {
  return app.node().io();
}

std::string admin_info(NodeApp& app, const std::string& section) {
  return commands::build_info(app.node(), app.replication(), section);
}

}  // namespace basalt::app
