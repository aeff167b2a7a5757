// tests/integration/sentinel_failover_test.cpp — failover driven by Debian's unmodified
// redis-sentinel: the master is killed, Sentinel promotes the replica, and when the old
// master comes back Sentinel demotes it and it rejoins with a *partial* resync.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSentinel = "/usr/bin/redis-sentinel";

std::string master_port_seen_by(RespClient& sentinel) {
  Reply r = sentinel.command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "basalt"});
  if (r.type != Reply::Array || r.elements.size() != 2) return "";
  return r.elements[1].str;
}

TEST(SentinelFailover, OldMasterRejoinsWithPartialResync) {
  if (access(kSentinel, X_OK) != 0) GTEST_SKIP() << "redis-sentinel is not installed";
  BasaltServer master;
  master.start();
  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.start();
  auto m = master.client();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));

  TempDir dir("basalt-sentinel-");
  int sentinel_port = free_port();
  std::string conf = (dir.path() / "sentinel.conf").string();
  {
    std::ofstream out(conf);
    // down-after must stay well above one second: after +switch-master Sentinel reuses the
    // old master's link, whose reconnects are throttled to one per second, and starts the
    // "no PONG yet" clock at once. With 1000 ms it can call the new master down before it
    // even reconnects and fail over a second time (seen in CI; Redis behaves the same).
    out << "port " << sentinel_port << "\nbind 127.0.0.1\ndaemonize no\n"
        << "sentinel monitor basalt 127.0.0.1 " << master.port() << " 1\n"
        << "sentinel down-after-milliseconds basalt 3000\n"
        << "sentinel failover-timeout basalt 5000\n";
  }
  Process sentinel({kSentinel, conf}, dir.path() / "sentinel.log");
  // On failure, show what Sentinel decided (its +sdown/+failover/+convert-to-slave events).
  struct DumpOnFailure {
    std::filesystem::path log;
    ~DumpOnFailure() {
      if (!::testing::Test::HasFailure() && !getenv("BASALT_TEST_SHOW_LOGS")) return;
      std::ifstream in(log);
      std::cerr << "--- sentinel log ---\n" << in.rdbuf() << "--- end of sentinel log ---\n";
    }
  } dump_sentinel_log{dir.path() / "sentinel.log"};
  RespClient s(sentinel_port);
  s.connect(5s);
  // Sentinel must know the replica before the master dies.
  ASSERT_TRUE(wait_until(
      [&] {
        Reply replicas = s.command({"SENTINEL", "REPLICAS", "basalt"});
        return replicas.type == Reply::Array && replicas.elements.size() == 1;
      },
      20s));

  for (int i = 0; i < 200; ++i) m.command({"SET", "k" + std::to_string(i), std::to_string(i)});
  ASSERT_EQ(m.get_integer({"WAIT", "1", "5000"}), 1);
  master.kill9();

  ASSERT_TRUE(
      wait_until([&] { return master_port_seen_by(s) == std::to_string(replica.port()); }, 30s))
      << "Sentinel did not fail over";
  // Sentinel kills the promoted node's normal clients (CLIENT KILL TYPE normal): reconnect.
  ASSERT_TRUE(wait_until(
      [&] {
        r = replica.client();
        return info_field(r, "replication", "role") == "master";
      },
      10s));
  ASSERT_TRUE(r.command({"SET", "after-failover", "1"}).is_status("OK"));

  // The old master returns with its data directory; Sentinel turns it into a replica.
  master.start();
  ASSERT_TRUE(wait_until(
      [&] {
        m = master.client();
        return info_field(m, "replication", "role") == "slave" &&
               info_field(m, "replication", "master_link_status") == "up";
      },
      40s))
      << "the old master did not rejoin";
  ASSERT_TRUE(wait_until(
      [&] {
        m = master.client();
        return m.command({"GET", "after-failover"}).is_bulk("1");
      },
      10s));
  EXPECT_EQ(info_int(r, "stats", "sync_full"), 0);
  EXPECT_EQ(info_int(r, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(m.get_string({"DEBUG", "DIGEST"}), r.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
