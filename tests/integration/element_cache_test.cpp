// tests/integration/element_cache_test.cpp — the element cache across write groups
// (KeyspaceShared::element_cache) where it is emptied rather than kept current: after a heavy
// job (its own view, off the loop, writes elements the cache does not see) and after a full
// sync (the dataset under it is replaced; the same collection versions come back with other
// elements). In both, elements the cache held are answered as the store now holds them. (What
// ordinary groups keep current: element_memo_test.cpp's differential pipelines, which run with
// the cache on, one of them with a budget small enough to evict.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

// A transaction whose EXEC runs as a heavy job (node/core/heavy_exec.h: one of its commands
// reads a large set) changes elements of collections the cache holds, under the versions the
// cache knows; its view keeps none of the loop's caches current.
TEST(ElementCache, AHeavyExecsElementWritesAreNotAnsweredFromTheCache) {
  BasaltServer basalt({"--heavy-command-threshold", "50"});
  basalt.start();
  RespClient c = basalt.client();
  std::vector<std::string> big = {"SADD", "big"};
  for (int i = 0; i < 100; ++i) big.push_back("m" + std::to_string(i));
  ASSERT_EQ(c.get_integer(big), 100);
  ASSERT_EQ(c.get_integer({"HSET", "h", "f7", "v7", "f8", "v8"}), 2);
  ASSERT_EQ(c.get_integer({"SADD", "s", "f7", "f8"}), 2);
  ASSERT_EQ(c.get_integer({"ZADD", "z", "7", "f7", "8", "f8"}), 2);
  // Read: the cache holds them.
  ASSERT_TRUE(c.command({"HGET", "h", "f7"}).is_bulk("v7"));
  ASSERT_TRUE(c.command({"HGET", "h", "f8"}).is_bulk("v8"));
  ASSERT_EQ(c.get_integer({"SISMEMBER", "s", "f7"}), 1);
  ASSERT_TRUE(c.command({"ZSCORE", "z", "f7"}).is_bulk("7"));
  ASSERT_GE(info_int(c, "memory", "element_cache_entries"), 4);
  const long long jobs = info_int(c, "stats", "heavy_jobs");

  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  for (const std::vector<std::string>& queued :
       std::vector<std::vector<std::string>>{{"SUNIONSTORE", "copy", "big"},
                                             {"HDEL", "h", "f7"},
                                             {"HSET", "h", "f8", "changed"},
                                             {"SREM", "s", "f7"},
                                             {"ZADD", "z", "-7", "f7"}})
    ASSERT_TRUE(c.command(queued).is_status("QUEUED"));
  const Reply exec = c.command({"EXEC"});
  ASSERT_EQ(exec.elements.size(), 5u);
  EXPECT_EQ(info_int(c, "stats", "heavy_jobs"), jobs + 1);

  EXPECT_TRUE(c.command({"HGET", "h", "f7"}).is_nil());
  EXPECT_TRUE(c.command({"HGET", "h", "f8"}).is_bulk("changed"));
  EXPECT_EQ(c.get_integer({"SISMEMBER", "s", "f7"}), 0);
  EXPECT_TRUE(c.command({"ZSCORE", "z", "f7"}).is_bulk("-7"));
  // And writes that look them up again find them gone or changed.
  EXPECT_EQ(c.get_integer({"HSETNX", "h", "f7", "again"}), 1);
  EXPECT_EQ(c.get_integer({"SADD", "s", "f7"}), 1);
  EXPECT_EQ(c.get_integer({"ZADD", "z", "CH", "-7", "f7"}), 0);
}

// A replica reads a collection (its cache holds the elements), is promoted and changes them;
// its old master changes them otherwise; the replica then follows that master again and, its
// history having diverged, loads the master's dataset in a full sync: the collections come
// back with the versions the cache knows, and must read as the master's.
TEST(ElementCache, AFullSyncReplacesWhatTheReplicaCached) {
  BasaltServer master;
  master.start();
  RespClient m = master.client();
  ASSERT_EQ(m.get_integer({"HSET", "h", "f", "1"}), 1);
  ASSERT_EQ(m.get_integer({"SADD", "s", "a"}), 1);
  ASSERT_EQ(m.get_integer({"ZADD", "z", "1", "a"}), 1);

  BasaltServer replica;
  replica.start();
  RespClient r = replica.client();
  const std::string port = std::to_string(master.port());
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", port}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  ASSERT_TRUE(r.command({"HGET", "h", "f"}).is_bulk("1"));

  ASSERT_TRUE(r.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  ASSERT_EQ(r.get_integer({"HSET", "h", "f", "3"}), 0);
  ASSERT_EQ(r.get_integer({"SREM", "s", "a"}), 1);
  ASSERT_EQ(r.get_integer({"ZADD", "z", "3", "a"}), 0);
  ASSERT_TRUE(r.command({"HGET", "h", "f"}).is_bulk("3"));
  ASSERT_EQ(r.get_integer({"SISMEMBER", "s", "a"}), 0);

  ASSERT_EQ(m.get_integer({"HSET", "h", "f", "2"}), 0);
  ASSERT_EQ(m.get_integer({"SADD", "s", "b"}), 1);
  ASSERT_EQ(m.get_integer({"ZADD", "z", "2", "a"}), 0);
  const long long full_syncs = info_int(m, "stats", "sync_full");
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", port}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_syncs + 1);

  EXPECT_TRUE(r.command({"HGET", "h", "f"}).is_bulk("2"));
  EXPECT_EQ(r.get_integer({"SISMEMBER", "s", "a"}), 1);
  EXPECT_EQ(r.get_integer({"SISMEMBER", "s", "b"}), 1);
  EXPECT_TRUE(r.command({"ZSCORE", "z", "a"}).is_bulk("2"));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
