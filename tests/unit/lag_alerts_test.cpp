// tests/unit/lag_alerts_test.cpp — the lag alerts' decisions (raise above a threshold, clear
// after a second at or below it, clear a vanished subject or a threshold turned off, the
// bounded history, one event per transition), the master's offset clock (age of the oldest
// unacknowledged byte) and replica-max-lag-reads' parsing.
#include "node/replication/lag_alerts.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "node/config/config.h"
#include "node/replication/offset_clock.h"
#include "tests/unit/scratch_dir.h"

namespace {

using basalt::replication::LagAlertEvent;
using basalt::replication::LagAlerts;
using basalt::replication::LagObservation;
using basalt::replication::OffsetClock;

LagObservation replica(uint64_t bytes, double seconds, std::string address = "10.0.0.2:6380") {
  return {"replica", std::move(address), "10.0.0.1:6379", bytes, seconds};
}

struct Recorder {
  std::vector<LagAlertEvent> events;
  explicit Recorder(LagAlerts& alerts) {
    alerts.set_listener([this](const LagAlertEvent& e) { events.push_back(e); });
  }
};

TEST(LagAlerts, RaisesOnceAboveTheThresholdAndClearsAfterASecondBelow) {
  LagAlerts alerts;
  Recorder rec(alerts);
  alerts.evaluate(1000, {replica(100, 0)}, 1000, 0);
  EXPECT_TRUE(alerts.active().empty());
  alerts.evaluate(1100, {replica(5000, 0.5)}, 1000, 0);
  alerts.evaluate(1200, {replica(9000, 0.6)}, 1000, 0);  // still above: no second event
  ASSERT_EQ(alerts.active().size(), 1u);
  EXPECT_EQ(alerts.active()[0].alert, "replica_lag_bytes");
  EXPECT_EQ(alerts.active()[0].since_ms, 1100u);
  EXPECT_EQ(alerts.active()[0].lag_bytes, 9000u);  // the latest measurement
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0].state, "raised");
  EXPECT_EQ(rec.events[0].replica, "10.0.0.2:6380");
  EXPECT_EQ(rec.events[0].master, "10.0.0.1:6379");
  EXPECT_EQ(rec.events[0].lag_bytes, 5000u);

  alerts.evaluate(1300, {replica(0, 0)}, 1000, 0);     // below, but not for a second yet
  alerts.evaluate(1400, {replica(2000, 0)}, 1000, 0);  // above again: the second restarts
  alerts.evaluate(2000, {replica(0, 0)}, 1000, 0);
  alerts.evaluate(2999, {replica(0, 0)}, 1000, 0);
  EXPECT_EQ(alerts.active().size(), 1u);
  alerts.evaluate(3000, {replica(0, 0)}, 1000, 0);
  EXPECT_TRUE(alerts.active().empty());
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1].state, "cleared");
  EXPECT_EQ(rec.events[1].reason, "caught up");
  EXPECT_EQ(rec.events[1].ts_ms, 3000u);
  EXPECT_EQ(alerts.history().size(), 2u);
  EXPECT_EQ(alerts.raised_total(), 1u);
}

TEST(LagAlerts, SecondsAndBytesAreSeparateAlertsPerSubject) {
  LagAlerts alerts;
  alerts.evaluate(0, {replica(10, 9.5, "a:1"), replica(5000, 0.1, "b:2")}, 1000, 5);
  // In the order of the observations: a:1 is over in seconds only, b:2 in bytes only.
  ASSERT_EQ(alerts.active().size(), 2u);
  EXPECT_EQ(alerts.active()[0].alert, "replica_lag_seconds");
  EXPECT_EQ(alerts.active()[0].replica, "a:1");
  EXPECT_EQ(alerts.active()[0].threshold, 5u);
  EXPECT_EQ(alerts.active()[1].alert, "replica_lag_bytes");
  EXPECT_EQ(alerts.active()[1].replica, "b:2");
  EXPECT_EQ(alerts.active()[1].threshold, 1000u);
}

TEST(LagAlerts, AVanishedSubjectOrATurnedOffThresholdClears) {
  LagAlerts alerts;
  Recorder rec(alerts);
  alerts.evaluate(0, {replica(5000, 9, "a:1"), replica(5000, 9, "b:2")}, 1000, 5);
  EXPECT_EQ(alerts.active().size(), 4u);
  alerts.evaluate(100, {replica(5000, 9, "b:2")}, 1000, 5);  // a:1 disconnected
  EXPECT_EQ(alerts.active().size(), 2u);
  alerts.evaluate(200, {replica(5000, 9, "b:2")}, 0, 5);  // bytes alert turned off
  ASSERT_EQ(alerts.active().size(), 1u);
  EXPECT_EQ(alerts.active()[0].alert, "replica_lag_seconds");
  ASSERT_EQ(rec.events.size(), 7u);
  EXPECT_EQ(rec.events[4].reason, "replica gone");
  EXPECT_EQ(rec.events[5].reason, "replica gone");
  EXPECT_EQ(rec.events[6].reason, "alert turned off");
  // A replica's own link that vanishes (promotion) clears as "role changed".
  alerts.evaluate(300, {{"link", "me:1", "m:2", 0, 99}}, 0, 5);
  alerts.evaluate(400, {}, 0, 5);
  EXPECT_EQ(rec.events.back().reason, "role changed");
}

TEST(LagAlerts, HistoryIsBounded) {
  LagAlerts alerts;
  for (uint64_t i = 0; i < LagAlerts::kHistoryLength; ++i) {
    alerts.evaluate(i * 10000, {replica(5000, 0)}, 1000, 0);
    alerts.evaluate(i * 10000 + 1, {replica(0, 0)}, 1000, 0);
    alerts.evaluate(i * 10000 + 2000, {replica(0, 0)}, 1000, 0);
  }
  EXPECT_EQ(alerts.history().size(), LagAlerts::kHistoryLength);
  EXPECT_EQ(alerts.raised_total(), LagAlerts::kHistoryLength);
  EXPECT_EQ(alerts.history().back().state, "cleared");
}

TEST(OffsetClock, AgeOfTheOldestUnackedByte) {
  OffsetClock clock;
  clock.sample(1000, 100);
  clock.sample(1100, 100);  // unchanged: no sample
  clock.sample(2000, 300);
  clock.sample(3000, 500);
  EXPECT_EQ(clock.size(), 3u);
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 500), 0u);     // everything acked
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 100), 3000u);  // byte 101 reached at 2000
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 299), 3000u);
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 300), 2000u);
  EXPECT_EQ(clock.unacked_age_ms(5000, 600, 500), 0u);   // written after the last tick
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 0), 4000u);  // older than every sample
  clock.forget_acked(300);
  EXPECT_EQ(clock.size(), 1u);
  EXPECT_EQ(clock.unacked_age_ms(5000, 500, 300), 2000u);
  clock.sample(6000, 50);  // a new history restarts the ring
  EXPECT_EQ(clock.size(), 1u);
}

TEST(OffsetClock, KeepsAtMostItsCapacity) {
  OffsetClock clock;
  for (uint64_t i = 1; i <= OffsetClock::kMaxSamples + 10; ++i) clock.sample(i, i);
  EXPECT_EQ(clock.size(), OffsetClock::kMaxSamples);
}

TEST(LagLimit, ParsesBytesOrADuration) {
  using basalt::config::LagLimit;
  LagLimit l;
  std::string err;
  ASSERT_TRUE(basalt::config::parse_lag_limit("1mb", l, err));
  EXPECT_EQ(l.bytes, 1 << 20);
  EXPECT_EQ(l.ms, 0);
  EXPECT_EQ(basalt::config::format_lag_limit(l), "1048576");
  ASSERT_TRUE(basalt::config::parse_lag_limit("5s", l, err));
  EXPECT_EQ(l.ms, 5000);
  EXPECT_EQ(l.bytes, 0);
  EXPECT_EQ(basalt::config::format_lag_limit(l), "5000ms");
  ASSERT_TRUE(basalt::config::parse_lag_limit("250MS", l, err));
  EXPECT_EQ(l.ms, 250);
  ASSERT_TRUE(basalt::config::parse_lag_limit("0", l, err));
  EXPECT_TRUE(l.off());
  EXPECT_EQ(basalt::config::format_lag_limit(l), "0");
  for (const char* bad : {"", "-1", "5x", "s", "ms", "-5s", "1.5s"}) {
    l.bytes = 7;
    EXPECT_FALSE(basalt::config::parse_lag_limit(bad, l, err)) << bad;
    EXPECT_EQ(l.bytes, 7);  // untouched
    EXPECT_FALSE(err.empty());
  }
}

TEST(LagLimit, DirectivesLoadAndRewrite) {
  basalt::unit::ScratchDir tmp;
  const std::string file = tmp.sub("lag.conf");
  std::ofstream(file) << "replica-lag-alert-bytes 64kb\nreplica-max-lag-reads 3s\n";
  basalt::config::Config c;
  std::string error;
  ASSERT_TRUE(basalt::config::load_file(c, file, error)) << error;
  EXPECT_EQ(c.replica_lag_alert_bytes, 65536);
  EXPECT_EQ(c.replica_max_lag_reads.ms, 3000);
  c.config_file = file;
  c.replica_lag_alert_seconds = 7;
  c.replica_max_lag_reads = {1024, 0};
  ASSERT_TRUE(basalt::config::rewrite_file(c, error)) << error;
  basalt::config::Config reloaded;
  ASSERT_TRUE(basalt::config::load_file(reloaded, file, error)) << error;
  EXPECT_EQ(reloaded.replica_lag_alert_bytes, 65536);
  EXPECT_EQ(reloaded.replica_lag_alert_seconds, 7);
  EXPECT_EQ(reloaded.replica_max_lag_reads.bytes, 1024);
  EXPECT_EQ(reloaded.replica_max_lag_reads.ms, 0);
}

}  // namespace
