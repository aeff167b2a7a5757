// node/replication/lag_watch.cpp — Replication's view of lag: what lags behind what on each
// tick (a master's replicas, a replica's own link), the lag alerts evaluated from it (logged and
// published as JSON on __basalt__:alerts), and the -LAGGING refusal of reads on a replica over
// replica-max-lag-reads.
#include <boost/asio/ip/host_name.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <sstream>

#include "node/core/node.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

}  // namespace

std::string Replication::own_address() const {
  const auto& c = node_.config();
  const int port = c.replica_announce_port ? c.replica_announce_port : c.port;
  std::string host = c.replica_announce_ip;
  if (host.empty()) {
    std::istringstream words(c.bind);
    std::string first;
    words >> first;
    if (!first.empty() && first[0] == '-') first.erase(0, 1);  // "-::1": optional address
    if (!first.empty() && first != "*" && first != "0.0.0.0" && first != "::" && first != "-*")
      host = first;
  }
  if (host.empty()) {
    boost::system::error_code ec;
    host = boost::asio::ip::host_name(ec);
    if (ec || host.empty()) host = "127.0.0.1";
  }
  return host + ":" + std::to_string(port);
}

std::vector<LagObservation> Replication::observe_lag(uint64_t now_ms) const {
  std::vector<LagObservation> out;
  const auto& repl = node_.repl();
  const std::string me = own_address();
  if (node_.is_replica()) {
    const LinkLag lag = link_.lag(now_ms, repl.master_repl_offset);
    out.push_back({"link", me, repl.master_host + ":" + std::to_string(repl.master_port), lag.bytes,
                   lag.seconds});
  }
  // A chained replica watches its own replicas too (their master is this node).
  for (const auto* feed : master_.feeds()) {
    LagObservation o;
    o.scope = "replica";
    o.replica = feed->ip + ":" + std::to_string(feed->listening_port);
    o.master = me;
    o.lag_bytes = repl.master_repl_offset - std::min(repl.master_repl_offset, feed->ack_offset);
    o.lag_seconds = static_cast<double>(master_.unacked_age_ms(*feed, now_ms)) / 1000.0;
    out.push_back(std::move(o));
  }
  return out;
}

void Replication::evaluate_lag_alerts(uint64_t now_ms) {
  const auto& c = node_.config();
  const auto bytes = static_cast<uint64_t>(c.replica_lag_alert_bytes);
  const auto seconds = static_cast<uint64_t>(c.replica_lag_alert_seconds);
  // Nothing to watch and nothing to clear: skip building the observations.
  if (bytes == 0 && seconds == 0 && alerts_.active().empty()) return;
  alerts_.evaluate(now_ms, observe_lag(now_ms), bytes, seconds);
}

void Replication::on_lag_alert(const LagAlertEvent& e) {
  const bool raised = e.state == "raised";
  const std::string what =
      e.scope == "replica" ? "replica " + e.replica : "this replica's link to " + e.master;
  const std::string threshold =
      std::to_string(e.threshold) + (e.alert == "replica_lag_bytes" ? " bytes" : " s");
  if (raised) {
    log::warn(
        "lag alert raised: {} for {} ({} bytes, {} s behind; threshold {}); read from the "
        "master at {}",
        e.alert, what, e.lag_bytes, seconds_text(e.lag_seconds), threshold, e.master);
  } else {
    log::info("lag alert cleared: {} for {} ({}; {} bytes, {} s behind; threshold {})", e.alert,
              what, e.reason, e.lag_bytes, seconds_text(e.lag_seconds), threshold);
  }
  boost::json::object o;
  o["alert"] = e.alert;
  o["state"] = e.state;
  o["node"] = own_address();
  o["scope"] = e.scope;
  o["replica"] = e.replica;
  o["master"] = e.master;
  o["lag_bytes"] = e.lag_bytes;
  o["lag_seconds"] = e.lag_seconds;
  o["threshold"] = e.threshold;
  if (!raised) o["reason"] = e.reason;
  o["ts"] = e.ts_ms;
  const std::string message = boost::json::serialize(o);
  node_.pubsub().publish(kAlertChannel, message,
                         {node_.config().client_output_buffer_limit, e.ts_ms,
                          node_.stats().client_output_buffer_limit_disconnections});
}

std::string Replication::lagging_reads_refusal() const {
  const auto& limit = node_.config().replica_max_lag_reads;
  if (limit.off() || !node_.is_replica()) return {};
  const auto& repl = node_.repl();
  const LinkLag lag = link_.lag(core::unix_time_ms(), repl.master_repl_offset);
  std::string behind;
  if (limit.bytes > 0 && lag.bytes > static_cast<uint64_t>(limit.bytes)) {
    behind = std::to_string(lag.bytes) + " bytes";
  } else if (limit.ms > 0 && lag.seconds * 1000.0 > static_cast<double>(limit.ms)) {
    behind = seconds_text(lag.seconds) + " seconds";
  } else {
    return {};
  }
  return "LAGGING replica is " + behind + " behind its master (replica-max-lag-reads " +
         config::format_lag_limit(limit) + "); read from the master at " + repl.master_host + ":" +
         std::to_string(repl.master_port);
}

}  // namespace basalt::replication
