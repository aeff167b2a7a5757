// tests/integration/slow_replica_test.cpp — a replica that stops reading (SIGSTOP) while its
// master takes far more writes than socket buffers hold. A Redis master would buffer the
// stream in memory until the replica output-buffer limit drops the replica, which then full
// syncs (and can loop). basalt's master streams from its on-disk log: it drops the silent
// replica after repl-timeout, and when the replica wakes up it resumes with a partial resync
// and converges, without any full sync. A replica paused for less than repl-timeout stays
// attached, and its feed, left behind the master's in-memory tail of the stream, continues
// from the on-disk log.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

TEST(SlowReplica, PausedPastTheTimeoutResumesWithPartialResync) {
  MasterAndReplica servers({"--repl-timeout", "2"});
  BasaltServer& replica = servers.replica;
  RespClient m = servers.master.client();
  RespClient r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_EQ(info_int(m, "stats", "sync_full"), 1);

  ASSERT_TRUE(replica.process().signal(SIGSTOP));
  // 30 MB of stream while the replica reads nothing: many times what the sockets buffer.
  const std::string value(3000, 'v');
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<std::string> mset = {"MSET"};
    for (int i = 0; i < 100; ++i) {
      mset.push_back("key:" + std::to_string(batch) + ":" + std::to_string(i));
      mset.push_back(value);
    }
    ASSERT_TRUE(m.command(mset).is_status("OK")) << "batch " << batch;
  }
  // The master drops the silent replica once repl-timeout has passed.
  EXPECT_TRUE(wait_until([&] { return info_int(m, "replication", "connected_slaves") == 0; }, 20s));
  ASSERT_TRUE(replica.process().signal(SIGCONT));

  const long long target = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(
      wait_until([&] { return info_int(r, "replication", "slave_repl_offset") == target; }, 60s))
      << "the replica did not catch up";
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1) << "no full sync after the pause";
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 10000);
}

TEST(SlowReplica, PausedFeedFallsBehindTheInMemoryTailAndContinuesFromTheLog) {
  MasterAndReplica servers({"--repl-timeout", "60"});
  BasaltServer& replica = servers.replica;
  RespClient m = servers.master.client();
  RespClient r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));

  ASSERT_TRUE(replica.process().signal(SIGSTOP));
  // 30 MB of stream: several times the master's in-memory tail (at most 8 MB), so the feed
  // stuck on the paused replica's socket needs bytes only the on-disk log still holds.
  const std::string value(3000, 'w');
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<std::string> mset = {"MSET"};
    for (int i = 0; i < 100; ++i) {
      mset.push_back("key:" + std::to_string(batch) + ":" + std::to_string(i));
      mset.push_back(value + std::to_string(batch));
    }
    ASSERT_TRUE(m.command(mset).is_status("OK")) << "batch " << batch;
  }
  ASSERT_TRUE(replica.process().signal(SIGCONT));

  const long long target = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(
      wait_until([&] { return info_int(r, "replication", "slave_repl_offset") == target; }, 60s))
      << "the replica did not catch up";
  // The same link all along: no resync of any kind.
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1);
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), 0);
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 10000);
}

}  // namespace
}  // namespace basalt::test
