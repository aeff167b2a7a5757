// tests/integration/sentinel_failover_test.cpp — failover driven by Debian's unmodified
// redis-sentinel: the master is killed, Sentinel promotes the replica, and when the old
// master comes back Sentinel demotes it and it rejoins with a *partial* resync.
#include <gtest/gtest.h>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

TEST(SentinelFailover, OldMasterRejoinsWithPartialResync) {
  if (!SentinelProcess::available()) GTEST_SKIP() << "redis-sentinel is not installed";
  BasaltServer master;
  master.start();
  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.start();
  auto m = master.client();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));

  TempDir dir("basalt-sentinel-");
  SentinelProcess sentinel(dir.path(), master.port());
  RespClient s = sentinel.client();
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

  ASSERT_TRUE(wait_until(
      [&] { return sentinel.master_port_seen(s) == std::to_string(replica.port()); }, 30s))
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
