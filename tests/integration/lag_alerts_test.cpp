// tests/integration/lag_alerts_test.cpp — lag alerts and lag-bounded reads with real processes:
// a replica paused (SIGSTOP, resumed on every exit path) while its master takes writes raises
// replica_lag_bytes and replica_lag_seconds on the master (GET /alerts, /metrics, one log line
// each, JSON on __basalt__:alerts), cleared once it is resumed and caught up; a replica whose
// master is paused raises its own link alert and answers reads with -LAGGING naming the master
// (replica-max-lag-reads) while connection and admin commands go on, until the master is back;
// a chained replica watches the replicas attached to it.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <regex>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/openapi_check.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kToken = kAlertToken;  // alert_master_args's
constexpr const char* kChannel = "__basalt__:alerts";

// SIGSTOPs a server for the scope; SIGCONT on every exit (a failed assertion too).
class Paused {
 public:
  explicit Paused(ServerProcess& server) : server_(server) {
    paused_ = server_.process().signal(SIGSTOP);
  }
  ~Paused() { resume(); }
  bool ok() const { return paused_; }
  void resume() {
    if (paused_) server_.process().signal(SIGCONT);
    paused_ = false;
  }

 private:
  ServerProcess& server_;
  bool paused_ = false;
};

// Problems of `alerts` against http/openapi.json's Alerts schema ("" if none).
std::string schema_problems(const json::object& alerts) {
  static const json::value doc =
      load_json_file(std::string(BASALT_SOURCE_DIR) + "/http/openapi.json");
  return check_schema(doc, doc.at_pointer("/components/schemas/Alerts"), alerts);
}

json::object get_alerts(int http_port) {
  HttpResponse r = http_request(http_port, "GET", "/alerts", kToken);
  if (r.status != 200) return {};
  return json::parse(r.body).as_object();
}

// The active alert `alert` about `replica` in /alerts, or null.
const json::object* find_active(const json::object& alerts, const std::string& alert,
                                const std::string& replica) {
  if (!alerts.contains("active")) return nullptr;
  for (const auto& a : alerts.at("active").as_array()) {
    const auto& o = a.as_object();
    if (o.at("alert").as_string() == alert && o.at("replica").as_string() == replica) return &o;
  }
  return nullptr;
}

// How many events of `alert` in state `state` the history of /alerts holds.
int history_count(const json::object& alerts, const std::string& alert, const std::string& state) {
  int n = 0;
  if (!alerts.contains("history")) return 0;
  for (const auto& e : alerts.at("history").as_array()) {
    const auto& o = e.as_object();
    if (o.at("alert").as_string() == alert && o.at("state").as_string() == state) ++n;
  }
  return n;
}

// The next message on `subscriber` (a subscribed client) as JSON; empty on anything else.
json::object next_alert_message(RespClient& subscriber) {
  Reply m = subscriber.read_reply();
  if (m.type != Reply::Array || m.elements.size() != 3 || m.elements[0].str != "message" ||
      m.elements[1].str != kChannel)
    return {};
  return json::parse(m.elements[2].str).as_object();
}

size_t count_lines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

TEST(LagAlerts, PausedReplicaRaisesOnTheMasterAndClearsOnceCaughtUp) {
  const int http = free_port();
  MasterAndReplica pair(alert_master_args(http));
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));
  const std::string replica = "127.0.0.1:" + std::to_string(pair.replica.port());
  const std::string master = "127.0.0.1:" + std::to_string(pair.master.port());

  // A caught-up replica raises nothing; the thresholds are shown.
  json::object alerts = get_alerts(http);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts.at("active").as_array().size(), 0u);
  EXPECT_EQ(alerts.at("thresholds").at("replica_lag_alert_bytes").as_int64(), 1000);
  EXPECT_EQ(alerts.at("channel").as_string(), kChannel);

  RespClient subscriber = pair.master.client();
  ASSERT_EQ(subscriber.command({"SUBSCRIBE", kChannel}).elements.size(), 3u);

  {
    Paused paused(pair.replica);
    ASSERT_TRUE(paused.ok());
    // 20 KB of stream the paused replica cannot acknowledge.
    const std::string value(1000, 'x');
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(m.command({"SET", "key:" + std::to_string(i), value}).is_status("OK"));
    }
    ASSERT_TRUE(wait_until(
        [&] {
          alerts = get_alerts(http);
          return find_active(alerts, "replica_lag_bytes", replica) &&
                 find_active(alerts, "replica_lag_seconds", replica);
        },
        20s))
        << json::serialize(alerts);
    const json::object& bytes_alert = *find_active(alerts, "replica_lag_bytes", replica);
    EXPECT_EQ(bytes_alert.at("scope").as_string(), "replica");
    EXPECT_EQ(bytes_alert.at("master").as_string(), master);
    EXPECT_GT(bytes_alert.at("lag_bytes").as_int64(), 20000);
    EXPECT_GT(bytes_alert.at("since").as_int64(), 0);
    EXPECT_GT(find_active(alerts, "replica_lag_seconds", replica)->at("lag_seconds").as_double(),
              2.0);
    EXPECT_EQ(schema_problems(alerts), "");

    // /metrics shows both alerts raised for that replica.
    HttpResponse metrics = http_request(http, "GET", "/metrics", kToken);
    for (const char* alert : {"replica_lag_bytes", "replica_lag_seconds"}) {
      EXPECT_NE(metrics.body.find("basalt_alert_active{alert=\"" + std::string(alert) +
                                  "\",scope=\"replica\",replica=\"" + replica + "\"} 1\n"),
                std::string::npos)
          << metrics.body;
    }
    EXPECT_NE(metrics.body.find("basalt_alerts_active 2\n"), std::string::npos);

    // The channel got one JSON message per raised alert.
    subscriber.set_timeout(10s);
    for (int i = 0; i < 2; ++i) {
      json::object msg = next_alert_message(subscriber);
      ASSERT_FALSE(msg.empty());
      EXPECT_EQ(msg.at("state").as_string(), "raised");
      EXPECT_EQ(msg.at("scope").as_string(), "replica");
      EXPECT_EQ(msg.at("replica").as_string(), replica);
      EXPECT_EQ(msg.at("master").as_string(), master);
      EXPECT_EQ(msg.at("node").as_string(), master);
      EXPECT_TRUE(msg.at("ts").is_int64() || msg.at("ts").is_uint64());
      EXPECT_TRUE(msg.contains("lag_bytes") && msg.contains("lag_seconds"));
    }
  }  // resumed

  ASSERT_TRUE(wait_until(
      [&] {
        alerts = get_alerts(http);
        return !alerts.empty() && alerts.at("active").as_array().empty();
      },
      30s))
      << json::serialize(alerts);
  EXPECT_EQ(schema_problems(alerts), "");
  for (const char* alert : {"replica_lag_bytes", "replica_lag_seconds"}) {
    EXPECT_EQ(history_count(alerts, alert, "raised"), 1) << json::serialize(alerts);
    EXPECT_EQ(history_count(alerts, alert, "cleared"), 1) << json::serialize(alerts);
  }
  for (int i = 0; i < 2; ++i) {
    json::object msg = next_alert_message(subscriber);
    ASSERT_FALSE(msg.empty());
    EXPECT_EQ(msg.at("state").as_string(), "cleared");
    EXPECT_EQ(msg.at("reason").as_string(), "caught up");
  }
  HttpResponse metrics = http_request(http, "GET", "/metrics", kToken);
  EXPECT_NE(metrics.body.find("basalt_alert_active{alert=\"replica_lag_bytes\",scope=\"replica\","
                              "replica=\"" +
                              replica + "\"} 0\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("basalt_alerts_raised_total 2\n"), std::string::npos);
  // One log line per raise and per clear, not one per tick.
  const std::string log = pair.master.log();
  EXPECT_EQ(count_lines(log, "lag alert raised: replica_lag_bytes"), 1u) << log;
  EXPECT_EQ(count_lines(log, "lag alert cleared: replica_lag_bytes"), 1u) << log;
  EXPECT_EQ(count_lines(log, "lag alert raised: replica_lag_seconds"), 1u) << log;
  EXPECT_EQ(count_lines(log, "lag alert cleared: replica_lag_seconds"), 1u) << log;
}

TEST(LagAlerts, ReplicaOfAPausedMasterRefusesReadsNamingTheMaster) {
  const int http = free_port();
  MasterAndReplica pair({"--repl-ping-replica-period", "1"},
                        {"--http-port", std::to_string(http), "--http-token", kToken,
                         "--replica-max-lag-reads", "2s", "--replica-lag-alert-seconds", "2"});
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));
  const std::string master = "127.0.0.1:" + std::to_string(pair.master.port());
  const std::string replica = "127.0.0.1:" + std::to_string(pair.replica.port());
  // The master pings every second: a linked replica keeps serving reads.
  EXPECT_TRUE(r.command({"GET", "k"}).is_bulk("v"));
  EXPECT_EQ(info_field(r, "replication", "replica_reads_lagging"), "0");
  EXPECT_EQ(info_field(r, "replication", "replica_max_lag_reads"), "2000ms");
  RespClient subscriber = pair.replica.client();
  ASSERT_EQ(subscriber.command({"SUBSCRIBE", kChannel}).elements.size(), 3u);

  {
    Paused paused(pair.master);
    ASSERT_TRUE(paused.ok());
    Reply get;
    ASSERT_TRUE(wait_until(
        [&] {
          get = r.command({"GET", "k"});
          return get.is_error();
        },
        20s))
        << get.to_string();
    const std::regex lagging(
        "LAGGING replica is [0-9]+\\.[0-9] seconds behind its master \\(replica-max-lag-reads "
        "2000ms\\); read from the master at " +
        std::regex_replace(master, std::regex("\\."), "\\."));
    EXPECT_TRUE(std::regex_match(get.str, lagging)) << get.str;
    // Every read is refused; connection, admin and Pub/Sub commands are not.
    EXPECT_TRUE(r.command({"EXISTS", "k"}).str.rfind("LAGGING ", 0) == 0);
    EXPECT_TRUE(r.command({"MGET", "k", "x"}).str.rfind("LAGGING ", 0) == 0);
    EXPECT_TRUE(r.command({"PING"}).is_status("PONG"));
    EXPECT_TRUE(r.command({"SELECT", "0"}).is_status("OK"));
    EXPECT_EQ(r.command({"CONFIG", "GET", "replica-max-lag-reads"}).elements.at(1).str, "2000ms");
    EXPECT_EQ(info_field(r, "replication", "replica_reads_lagging"), "1");
    EXPECT_GT(std::stod(info_field(r, "replication", "replica_lag_seconds")), 2.0);
    // The alert is evaluated on the cron tick (the read gate at each read): wait for it.
    EXPECT_TRUE(
        wait_until([&] { return info_int(r, "replication", "lag_alerts_active") == 1; }, 10s));
    // Writes are still READONLY, not LAGGING.
    EXPECT_EQ(r.command({"SET", "k", "w"}).str.rfind("READONLY", 0), 0u);
    // Turned off at run time: reads are served at once.
    ASSERT_TRUE(r.command({"CONFIG", "SET", "replica-max-lag-reads", "0"}).is_status("OK"));
    EXPECT_TRUE(r.command({"GET", "k"}).is_bulk("v"));
    ASSERT_TRUE(r.command({"CONFIG", "SET", "replica-max-lag-reads", "2s"}).is_status("OK"));
    EXPECT_TRUE(r.command({"GET", "k"}).is_error());

    // The replica's own link alert: in /alerts and on the replica's channel.
    json::object alerts = get_alerts(http);
    const json::object* link = find_active(alerts, "replica_lag_seconds", replica);
    ASSERT_NE(link, nullptr) << json::serialize(alerts);
    EXPECT_EQ(link->at("scope").as_string(), "link");
    EXPECT_EQ(link->at("master").as_string(), master);
    subscriber.set_timeout(10s);
    json::object msg = next_alert_message(subscriber);
    ASSERT_FALSE(msg.empty());
    EXPECT_EQ(msg.at("state").as_string(), "raised");
    EXPECT_EQ(msg.at("scope").as_string(), "link");
    EXPECT_EQ(msg.at("master").as_string(), master);
  }  // the master resumes

  Reply get;
  ASSERT_TRUE(wait_until(
      [&] {
        get = r.command({"GET", "k"});
        return get.is_bulk("v");
      },
      20s))
      << get.to_string();
  // The stream flows again: a write on the master reaches the replica.
  ASSERT_TRUE(m.command({"SET", "k", "after"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));
  EXPECT_TRUE(r.command({"GET", "k"}).is_bulk("after"));
  json::object alerts;
  ASSERT_TRUE(wait_until(
      [&] {
        alerts = get_alerts(http);
        return !alerts.empty() && alerts.at("active").as_array().empty();
      },
      20s))
      << json::serialize(alerts);
  EXPECT_EQ(history_count(alerts, "replica_lag_seconds", "raised"), 1);
  EXPECT_EQ(history_count(alerts, "replica_lag_seconds", "cleared"), 1);
  json::object msg = next_alert_message(subscriber);
  ASSERT_FALSE(msg.empty());
  EXPECT_EQ(msg.at("state").as_string(), "cleared");
}

TEST(LagAlerts, AChainedReplicaWatchesItsOwnReplicas) {
  const int http = free_port();
  MasterAndReplica pair({}, {"--http-port", std::to_string(http), "--http-token", kToken,
                             "--replica-lag-alert-bytes", "1000"});
  BasaltServer chained(replicaof_args(pair.replica));
  chained.start();
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  RespClient c = chained.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(wait_for_master_link(c, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, c, 20s));
  const std::string sub = "127.0.0.1:" + std::to_string(chained.port());
  const std::string middle = "127.0.0.1:" + std::to_string(pair.replica.port());

  Paused paused(chained);
  ASSERT_TRUE(paused.ok());
  const std::string value(1000, 'x');
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(m.command({"SET", "key:" + std::to_string(i), value}).is_status("OK"));
  }
  json::object alerts;
  ASSERT_TRUE(wait_until(
      [&] {
        alerts = get_alerts(http);
        return find_active(alerts, "replica_lag_bytes", sub) != nullptr;
      },
      20s))
      << json::serialize(alerts);
  // Raised by the middle replica about its own replica: read from the middle one instead.
  EXPECT_EQ(find_active(alerts, "replica_lag_bytes", sub)->at("master").as_string(), middle);
  // The middle replica's own link is fine.
  EXPECT_EQ(find_active(alerts, "replica_lag_bytes", middle), nullptr);
}

TEST(LagAlerts, DirectivesAreCheckedAtRunTime) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  EXPECT_TRUE(c.command({"CONFIG", "SET", "replica-lag-alert-bytes", "1mb"}).is_status("OK"));
  EXPECT_EQ(c.command({"CONFIG", "GET", "replica-lag-alert-bytes"}).elements.at(1).str, "1048576");
  EXPECT_TRUE(c.command({"CONFIG", "SET", "replica-lag-alert-seconds", "10"}).is_status("OK"));
  EXPECT_TRUE(c.command({"CONFIG", "SET", "replica-lag-alert-seconds", "-1"}).is_error());
  EXPECT_TRUE(c.command({"CONFIG", "SET", "replica-max-lag-reads", "500ms"}).is_status("OK"));
  EXPECT_EQ(c.command({"CONFIG", "GET", "replica-max-lag-reads"}).elements.at(1).str, "500ms");
  Reply bad = c.command({"CONFIG", "SET", "replica-max-lag-reads", "soon"});
  ASSERT_TRUE(bad.is_error());
  EXPECT_NE(bad.str.find("a duration"), std::string::npos) << bad.str;
  // A master never refuses reads, whatever the setting.
  EXPECT_TRUE(c.command({"GET", "nothing"}).is_nil());
}

}  // namespace
}  // namespace basalt::test
