// tests/integration/full_sync_cache_test.cpp — after a full sync the replica's record cache
// holds the snapshot's top-level records (up to its budget), so the master's writes that
// follow are applied without a RocksDB lookup per key, and what the cache answers is exactly
// the master's data: new values, deletions, TTLs and collections alike.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr int kKeys = 2000;

long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

// Sends `commands` pipelined and checks that none was refused.
void run_all(RespClient& c, const std::vector<std::vector<std::string>>& commands) {
  std::string bytes;
  for (const auto& args : commands) bytes += encode_command(args);
  c.send_raw(bytes);
  for (size_t i = 0; i < commands.size(); ++i) ASSERT_FALSE(c.read_reply().is_error());
}

TEST(FullSyncCache, SnapshotRecordsFillTheReplicasCacheAndStayExact) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  std::vector<std::vector<std::string>> load;
  for (int i = 0; i < kKeys; ++i) load.push_back({"SET", "k:" + std::to_string(i), "v0"});
  load.push_back({"HSET", "h", "f1", "a", "f2", "b"});
  load.push_back({"SET", "ttl", "x", "EX", "1000"});
  run_all(m, load);

  BasaltServer replica;
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  // Every top-level record of the snapshot is cached (the default budget holds them all).
  EXPECT_EQ(info_int(r, "memory", "record_cache_entries"), kKeys + 2);

  // The master's writes to those keys find their records in the replica's cache.
  long long misses = info_int(r, "stats", "record_cache_misses");
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = "k:" + std::to_string(i);
    if (i % 10 == 0)
      writes.push_back({"DEL", key});
    else
      writes.push_back({"SET", key, "v1-" + std::to_string(i)});
  }
  writes.push_back({"HSET", "h", "f3", "c"});
  writes.push_back({"PERSIST", "ttl"});
  run_all(m, writes);
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(info_int(r, "stats", "record_cache_misses"), misses);

  // What the replica answers (from its cache) is the master's data.
  EXPECT_TRUE(r.command({"GET", "k:1"}).is_bulk("v1-1"));
  EXPECT_TRUE(r.command({"GET", "k:0"}).is_nil());
  EXPECT_EQ(r.get_integer({"HLEN", "h"}), 3);
  EXPECT_EQ(r.get_integer({"TTL", "ttl"}), -1);
  EXPECT_EQ(r.get_integer({"DBSIZE"}), m.get_integer({"DBSIZE"}));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST(FullSyncCache, NoCacheMeansNoneIsFilled) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  ASSERT_TRUE(m.command({"SET", "a", "1"}).is_status("OK"));
  BasaltServer replica({"--record-cache-size", "0"});
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(info_int(r, "memory", "record_cache_entries"), 0);
  EXPECT_TRUE(r.command({"GET", "a"}).is_bulk("1"));
}

}  // namespace
}  // namespace basalt::test
