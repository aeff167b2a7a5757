// node/replication/lag_alerts.cpp — see lag_alerts.h.
#include "node/replication/lag_alerts.h"

namespace basalt::replication {

namespace {
constexpr const char* kBytes = "replica_lag_bytes";
constexpr const char* kSeconds = "replica_lag_seconds";

bool same_subject(const LagAlert& a, const LagObservation& o) {
  return a.scope == o.scope && a.replica == o.replica;
}
}  // namespace

void LagAlerts::evaluate(uint64_t now_ms, const std::vector<LagObservation>& seen,
                         uint64_t bytes_threshold, uint64_t seconds_threshold) {
  // Alerts whose subject is gone (a replica disconnected, the role changed) or whose
  // threshold was turned off clear now.
  for (size_t i = active_.size(); i-- > 0;) {
    const LagAlert& a = active_[i];
    const uint64_t threshold = a.alert == kBytes ? bytes_threshold : seconds_threshold;
    bool present = false;
    for (const auto& o : seen) present = present || same_subject(a, o);
    if (!present) {
      clear(i, now_ms, a.scope == "replica" ? "replica gone" : "role changed");
    } else if (threshold == 0) {
      clear(i, now_ms, "alert turned off");
    }
  }
  for (const auto& o : seen) {
    if (bytes_threshold > 0)
      check(now_ms, o, kBytes, o.lag_bytes > bytes_threshold, bytes_threshold);
    if (seconds_threshold > 0) {
      check(now_ms, o, kSeconds, o.lag_seconds > static_cast<double>(seconds_threshold),
            seconds_threshold);
    }
  }
  observed_ = seen;
}

void LagAlerts::check(uint64_t now_ms, const LagObservation& o, const std::string& alert,
                      bool above, uint64_t threshold) {
  for (size_t i = 0; i < active_.size(); ++i) {
    LagAlert& a = active_[i];
    if (a.alert != alert || !same_subject(a, o)) continue;
    a.lag_bytes = o.lag_bytes;
    a.lag_seconds = o.lag_seconds;
    a.master = o.master;
    a.threshold = threshold;
    if (above) {
      a.below_since_ms = 0;
    } else if (a.below_since_ms == 0) {
      a.below_since_ms = now_ms;
    } else if (now_ms - a.below_since_ms >= kClearAfterMs) {
      clear(i, now_ms, "caught up");
    }
    return;
  }
  if (!above) return;
  LagAlert a{alert, o.scope, o.replica, o.master, now_ms, threshold, o.lag_bytes, o.lag_seconds, 0};
  active_.push_back(a);
  ++raised_total_;
  emit(a, "raised", "", now_ms);
}

void LagAlerts::clear(size_t index, uint64_t now_ms, const std::string& reason) {
  LagAlert a = active_[index];
  active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(index));
  emit(a, "cleared", reason, now_ms);
}

void LagAlerts::emit(const LagAlert& a, const std::string& state, const std::string& reason,
                     uint64_t now) {
  LagAlertEvent e{a.alert,     state,         a.scope,     a.replica, a.master,
                  a.lag_bytes, a.lag_seconds, a.threshold, reason,    now};
  history_.push_back(e);
  if (history_.size() > kHistoryLength) history_.pop_front();
  if (listener_) listener_(e);
}

}  // namespace basalt::replication
