// node/replication/lag_alerts.h — owns the replication lag alerts: given, on each cron tick,
// what lags behind what (on a master each replica, on a replica its own link) and the
// thresholds (replica-lag-alert-bytes / -seconds), it decides when an alert is raised and when
// it is cleared, keeps the active alerts with their start time and a bounded history of the
// raise / clear events, and hands each event to a listener (the log line and the publication
// on the __basalt__:alerts channel are Replication's). Pure state: no clock, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace basalt::replication {

// One thing that may lag: a replica of this master ("replica" scope), or this replica's link
// to its master ("link" scope).
struct LagObservation {
  std::string scope;    // "replica" or "link"
  std::string replica;  // the lagging replica's address, ip:port
  std::string master;   // the master's address, host:port (clients should read there)
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
};

struct LagAlert {
  std::string alert;  // "replica_lag_bytes" or "replica_lag_seconds"
  std::string scope;
  std::string replica;
  std::string master;
  uint64_t since_ms = 0;        // raised at
  uint64_t threshold = 0;       // bytes or seconds
  uint64_t lag_bytes = 0;       // latest measurement
  double lag_seconds = 0;       // latest measurement
  uint64_t below_since_ms = 0;  // at or below the threshold since (0: above)
};

struct LagAlertEvent {
  std::string alert;
  std::string state;  // "raised" or "cleared"
  std::string scope;
  std::string replica;
  std::string master;
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
  uint64_t threshold = 0;
  std::string reason;  // why a clear happened: "caught up", "replica gone", "alert turned off"
  uint64_t ts_ms = 0;
};

class LagAlerts {
 public:
  // The history keeps this many latest events.
  static constexpr size_t kHistoryLength = 100;
  // An alert clears once its lag stayed at or below the threshold this long (no flapping).
  static constexpr uint64_t kClearAfterMs = 1000;

  using Listener = std::function<void(const LagAlertEvent&)>;
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  // One evaluation: `seen` is every observation of this tick; thresholds 0 turn that alert
  // off (and clear it). Subjects no longer observed clear their alerts ("replica gone").
  void evaluate(uint64_t now_ms, const std::vector<LagObservation>& seen, uint64_t bytes_threshold,
                uint64_t seconds_threshold);

  const std::vector<LagAlert>& active() const { return active_; }
  const std::deque<LagAlertEvent>& history() const { return history_; }
  uint64_t raised_total() const { return raised_total_; }
  // The subjects last observed (for metrics: every one has a 0/1 state per alert).
  const std::vector<LagObservation>& observed() const { return observed_; }

 private:
  void check(uint64_t now_ms, const LagObservation& o, const std::string& alert, bool above,
             uint64_t threshold);
  void clear(size_t index, uint64_t now_ms, const std::string& reason);
  void emit(const LagAlert& a, const std::string& state, const std::string& reason, uint64_t now);

  std::vector<LagAlert> active_;
  std::deque<LagAlertEvent> history_;
  std::vector<LagObservation> observed_;
  uint64_t raised_total_ = 0;
  Listener listener_;
};

}  // namespace basalt::replication
