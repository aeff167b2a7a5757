// http/json_views.cpp — see json_views.h.
#include "http/json_views.h"

#include <boost/json.hpp>

#include "http/info_json.h"
#include "node/app/admin.h"

namespace basalt::http {

namespace json = boost::json;

Response health_view(app::NodeApp& node) {
  // The process serves; "storage" says whether it can also write (a full disk, an I/O error
  // make it "failing" while reads go on).
  auto st = app::admin_health(node);
  json::object o;
  o["status"] = st.stopping ? "stopping" : "ok";
  o["storage"] = st.storage_status;
  if (!st.storage_error.empty()) o["storage_error"] = st.storage_error;
  return json_response(200, o);
}

Response ready_view(app::NodeApp& node) {
  auto ready = app::admin_ready(node);
  auto repl = app::admin_replication(node);
  json::object o;
  o["ready"] = ready.ready;
  o["role"] = repl.role;
  if (!ready.ready) o["reason"] = ready.reason;
  return json_response(ready.ready ? 200 : 503, o);
}

Response status_view(app::NodeApp& node) {
  auto s = app::admin_status(node);
  json::object o;
  o["role"] = s.role;
  o["replid"] = s.replid;
  o["replid2"] = s.replid2;
  o["master_repl_offset"] = s.master_repl_offset;
  if (!s.master_link_status.empty()) {
    o["master_link_status"] = s.master_link_status;
    o["sync_refused_reason"] = s.sync_refused_reason;
    o["master_link_last_error"] = s.master_link_last_error;
    o["stream_apply_failures"] = s.stream_apply_failures;
  }
  o["divergent_writes_file"] = s.divergent_writes_file;
  o["storage_status"] = s.storage_status;
  o["storage_error"] = s.storage_error;
  o["storage_failing_since_ms"] = s.storage_failing_since_ms;
  o["connected_clients"] = s.connected_clients;
  json::array keys;
  for (auto k : s.keys_per_db) keys.push_back(k);
  o["keys_per_db"] = std::move(keys);
  o["uptime_seconds"] = s.uptime_seconds;
  o["total_commands_processed"] = s.total_commands_processed;
  o["write_groups"] = s.write_groups;
  o["expired_keys"] = s.expired_keys;
  o["block_cache_bytes"] = s.block_cache_bytes;
  o["memtable_bytes"] = s.memtable_bytes;
  o["disk_bytes"] = s.disk_bytes;
  return json_response(200, o);
}

Response replication_view(app::NodeApp& node) {
  auto r = app::admin_replication(node);
  json::object o;
  o["role"] = r.role;
  o["replid"] = r.replid;
  o["replid2"] = r.replid2;
  o["second_repl_offset"] = r.second_repl_offset;
  o["master_repl_offset"] = r.master_repl_offset;
  o["log"] = {{"first_offset", r.log_first_offset},
              {"last_offset", r.log_last_offset},
              {"size_bytes", r.log_size_bytes},
              {"max_size_bytes", r.log_max_size}};
  o["failover_state"] = r.failover_state;
  if (r.role == "replica") {
    o["master"] = {{"host", r.master_host},
                   {"port", r.master_port},
                   {"link_state", r.link_state},
                   {"link_up", r.link_up},
                   {"sync_in_progress", r.sync_in_progress},
                   {"last_io_seconds_ago", r.last_io_seconds_ago},
                   {"link_down_seconds", r.link_down_seconds},
                   {"link_last_error", r.link_last_error},
                   {"sync_refused_reason", r.sync_refused_reason},
                   {"sync_refused_protects_data", r.sync_refused_protects_data},
                   {"stream_apply_failures", r.stream_apply_failures}};
  } else {
    o["master"] = nullptr;
  }
  json::array replicas;
  for (const auto& rep : r.replicas) {
    replicas.push_back({{"address", rep.ip + ":" + std::to_string(rep.port)},
                        {"ip", rep.ip},
                        {"port", rep.port},
                        {"state", rep.state},
                        {"ack_offset", rep.ack_offset},
                        {"lag_bytes", rep.lag_bytes},
                        {"lag_seconds", rep.lag_seconds}});
  }
  o["replicas"] = std::move(replicas);
  o["sync_full"] = r.sync_full;
  o["sync_partial_ok"] = r.sync_partial_ok;
  o["sync_partial_err"] = r.sync_partial_err;
  return json_response(200, o);
}

Response info_view(app::NodeApp& node, const std::string& section) {
  std::string text = app::admin_info(node, section.empty() ? "default" : section);
  if (text.empty()) return error_response(404, "no such INFO section: " + section);
  return json_response(200, info_to_json(text));
}

Response config_view(app::NodeApp& node) {
  json::object o;
  for (auto& [name, value] : app::admin_config(node)) o[name] = value;
  return json_response(200, o);
}

Response config_entry_view(app::NodeApp& node, const std::string& name) {
  auto value = app::admin_config_get(node, name);
  if (!value) return error_response(404, "no such config directive: " + name);
  json::object o;
  o["name"] = name;
  o["value"] = *value;
  return json_response(200, o);
}

}  // namespace basalt::http
