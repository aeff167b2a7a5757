// tests/integration/eviction_test.cpp — maxmemory on the real binary: used_memory is the
// logical dataset size (exact figures; kept through DEL of collections, FLUSHALL, expiry,
// a restart and kill -9), noeviction answers -OOM while reads and DEL still work, every
// policy evicts what it should (allkeys-lru keeps recently read keys, allkeys-lfu frequently
// read ones, volatile-ttl the latest expiries, volatile-* never a persistent key and -OOM
// once only persistent keys are left), used_memory stays within one write of maxmemory,
// evicted_keys counts; a replica under an evicting master ends with the master's digest and
// evicts nothing itself; CONFIG replies and the OOM error as redis-server's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

constexpr long long kKeyOverhead = 48;      // storage/dataset_size.h
constexpr long long kElementOverhead = 16;  // storage/dataset_size.h
const std::string kValue(100, 'v');

long long used(RespClient& c) {
  return info_int(c, "memory", "used_memory");
}
long long evicted(RespClient& c) {
  return info_int(c, "stats", "evicted_keys");
}

// A string key's bytes: overhead + key + value.
long long string_bytes(const std::string& key, const std::string& value) {
  return kKeyOverhead + static_cast<long long>(key.size() + value.size());
}

std::vector<std::string> limit_args(const std::string& policy, long long maxmemory,
                                    int samples = 10) {
  return {"--maxmemory", std::to_string(maxmemory), "--maxmemory-policy",
          policy,        "--maxmemory-samples",     std::to_string(samples)};
}

bool exists(RespClient& c, const std::string& key) {
  return c.get_integer({"EXISTS", key}) == 1;
}

TEST(Eviction, UsedMemoryIsTheLogicalDatasetSize) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  EXPECT_EQ(used(c), 0);
  c.command({"SET", "a", "hello"});
  long long expect = string_bytes("a", "hello");
  EXPECT_EQ(used(c), expect);
  c.command({"HSET", "h", "f1", "v1", "f2", "v2"});
  expect += kKeyOverhead + 1 + 2 * (kElementOverhead + 4);
  c.command({"RPUSH", "l", "a", "bb", "ccc"});
  expect += kKeyOverhead + 1 + 3 * kElementOverhead + 6;
  c.command({"SADD", "s", "x", "yy"});
  expect += kKeyOverhead + 1 + 2 * kElementOverhead + 3;
  c.command({"ZADD", "z", "1", "m"});
  expect += kKeyOverhead + 1 + kElementOverhead + 1 + 8;
  EXPECT_EQ(used(c), expect);
  EXPECT_EQ(info_int(c, "memory", "used_memory_dataset"), expect);
  // Overwrites and element edits move it by what changed.
  c.command({"HSET", "h", "f1", "longer-value"});
  c.command({"LSET", "l", "0", "abcd"});
  c.command({"LTRIM", "l", "0", "1"});
  expect += 10 + 3 - (kElementOverhead + 3);
  EXPECT_EQ(used(c), expect);

  // A big collection, then DEL of it: back to where it was.
  for (int i = 0; i < 50; ++i)
    c.command({"SADD", "big", "member-" + std::to_string(i), "x" + std::to_string(i)});
  EXPECT_GT(used(c), expect + 100 * kElementOverhead);
  EXPECT_EQ(c.get_integer({"DEL", "big"}), 1);
  EXPECT_EQ(used(c), expect);

  // Expiry gives the bytes back.
  c.command({"SET", "soon", "value", "PX", "50"});
  EXPECT_EQ(used(c), expect + string_bytes("soon", "value"));
  EXPECT_TRUE(wait_until([&] { return used(c) == expect; }, std::chrono::seconds(10)))
      << used(c) << " vs " << expect;

  // Kept across a restart and a crash.
  server.restart();
  RespClient again = server.client();
  EXPECT_EQ(used(again), expect);
  again.command({"SET", "after", "restart"});
  expect += string_bytes("after", "restart");
  server.kill9();
  server.start();
  RespClient crashed = server.client();
  EXPECT_EQ(used(crashed), expect);

  crashed.command({"SELECT", "3"});
  crashed.command({"SET", "other", "db"});
  crashed.command({"FLUSHDB"});
  EXPECT_EQ(used(crashed), expect);
  crashed.command({"FLUSHALL"});
  EXPECT_EQ(used(crashed), 0);
}

TEST(Eviction, NoevictionRefusesWritesButServesReadsAndDeletes) {
  BasaltServer server(limit_args("noeviction", 3000));
  server.start();
  RespClient c = server.client();
  int written = 0;
  Reply r;
  for (; written < 1000; ++written) {
    r = c.command({"SET", "k:" + std::to_string(written), kValue});
    if (r.is_error()) break;
  }
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.str, "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_GT(written, 10);
  EXPECT_TRUE(c.command({"GET", "k:0"}).is_bulk(kValue));
  EXPECT_EQ(c.get_integer({"DEL", "k:0", "k:1", "k:2"}), 3);
  EXPECT_TRUE(c.command({"SET", "again", "1"}).is_status("OK"));  // room again
  EXPECT_EQ(evicted(c), 0);
  EXPECT_EQ(c.get_integer({"DBSIZE"}), written - 3 + 1);
}

// Writes `count` keys prefix:i with a 100-byte value.
void fill(RespClient& c, const std::string& prefix, int count, int from = 0) {
  for (int i = from; i < from + count; ++i) {
    Reply r = c.command({"SET", prefix + std::to_string(i), kValue});
    ASSERT_TRUE(r.is_status("OK")) << r.to_string();
  }
}

long long count_present(RespClient& c, const std::string& prefix, int count) {
  long long n = 0;
  for (int i = 0; i < count; ++i) n += exists(c, prefix + std::to_string(i)) ? 1 : 0;
  return n;
}

const long long kOneKey = string_bytes("cold:100", kValue);
const long long kLimit = 60 * kOneKey;

TEST(Eviction, AllkeysLruKeepsRecentlyReadKeys) {
  BasaltServer server(limit_args("allkeys-lru", kLimit));
  server.start();
  RespClient c = server.client();
  fill(c, "hot:", 20);
  for (int round = 0; round < 30; ++round) {
    fill(c, "cold:", 10, round * 10);
    for (int i = 0; i < 20; ++i) c.command({"GET", "hot:" + std::to_string(i)});
    ASSERT_LE(used(c), kLimit + kOneKey);
  }
  EXPECT_GT(evicted(c), 200);
  EXPECT_GE(count_present(c, "hot:", 20), 18) << "recently read keys were evicted";
  EXPECT_LE(count_present(c, "cold:", 100), 5) << "the oldest writes should be gone";
  EXPECT_EQ(c.get_integer({"DBSIZE"}) + evicted(c), 320);
}

TEST(Eviction, AllkeysLfuKeepsFrequentlyReadKeys) {
  BasaltServer server(limit_args("allkeys-lfu", kLimit));
  server.start();
  RespClient c = server.client();
  EXPECT_EQ(c.get_string({"CONFIG", "SET", "lfu-log-factor", "0"}), "OK");
  fill(c, "hot:", 20);
  for (int n = 0; n < 10; ++n)
    for (int i = 0; i < 20; ++i) c.command({"GET", "hot:" + std::to_string(i)});
  EXPECT_GE(c.get_integer({"OBJECT", "FREQ", "hot:0"}), 10);
  fill(c, "cold:", 300);
  EXPECT_LE(used(c), kLimit + kOneKey);
  EXPECT_GE(count_present(c, "hot:", 20), 18) << "frequently read keys were evicted";
  EXPECT_EQ(c.get_integer({"DBSIZE"}) + evicted(c), 320);
}

TEST(Eviction, AllkeysRandomStaysUnderTheLimit) {
  BasaltServer server(limit_args("allkeys-random", kLimit, 5));
  server.start();
  RespClient c = server.client();
  c.command({"SELECT", "2"});
  fill(c, "a:", 100);
  c.command({"SELECT", "0"});
  fill(c, "b:", 200);
  EXPECT_LE(used(c), kLimit + kOneKey);
  EXPECT_GE(used(c), kLimit - kOneKey);
  long long keys = c.get_integer({"DBSIZE"});
  c.command({"SELECT", "2"});
  long long in_db2 = c.get_integer({"DBSIZE"});
  c.command({"SELECT", "0"});
  EXPECT_LT(in_db2, 60);  // db 2 gave up keys to db 0's writes too
  EXPECT_EQ(evicted(c), 300 - keys - in_db2);
  // Lowering maxmemory evicts at once (the cron goes on where commands left off).
  EXPECT_EQ(c.get_string({"CONFIG", "SET", "maxmemory", std::to_string(10 * kOneKey)}), "OK");
  EXPECT_TRUE(wait_until([&] { return used(c) <= 10 * kOneKey; }, std::chrono::seconds(10)))
      << used(c);
}

TEST(Eviction, VolatileTtlEvictsTheSoonestExpiryAndNeverPersistentKeys) {
  BasaltServer server(limit_args("volatile-ttl", kLimit));
  server.start();
  RespClient c = server.client();
  fill(c, "persistent:", 20);
  for (int i = 0; i < 100; ++i) {
    Reply r = c.command({"SET", "v:" + std::to_string(i), kValue, "EX", std::to_string(1000 + i)});
    ASSERT_TRUE(r.is_status("OK")) << r.to_string();
  }
  EXPECT_LE(used(c), kLimit + kOneKey);
  long long gone = evicted(c);
  EXPECT_GT(gone, 50);
  EXPECT_EQ(count_present(c, "persistent:", 20), 20);
  // Exactly the shortest TTLs went: v:0 .. v:gone-1.
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(exists(c, "v:" + std::to_string(i)), i >= gone) << "v:" << i;
}

void volatile_policy_spares_persistent_keys(const std::string& policy) {
  BasaltServer server(limit_args(policy, kLimit));
  server.start();
  RespClient c = server.client();
  fill(c, "persistent:", 30);
  for (int i = 0; i < 100; ++i) {
    Reply r = c.command({"SET", "v:" + std::to_string(i), kValue, "EX", "1000"});
    ASSERT_TRUE(r.is_status("OK")) << policy << ": " << r.to_string();
  }
  EXPECT_LE(used(c), kLimit + kOneKey) << policy;
  EXPECT_GT(evicted(c), 50) << policy;
  EXPECT_EQ(count_present(c, "persistent:", 30), 30) << policy;
  // Only persistent keys can't make room: OOM, as Redis.
  Reply r;
  for (int i = 30; i < 200 && !r.is_error(); ++i)
    r = c.command({"SET", "persistent:" + std::to_string(i), kValue});
  EXPECT_EQ(r.str, "OOM command not allowed when used memory > 'maxmemory'.") << policy;
  EXPECT_EQ(count_present(c, "v:", 100), 0) << policy;
  EXPECT_TRUE(c.command({"GET", "persistent:0"}).is_bulk(kValue));
}

TEST(Eviction, VolatileLruSparesPersistentKeys) {
  volatile_policy_spares_persistent_keys("volatile-lru");
}
TEST(Eviction, VolatileLfuSparesPersistentKeys) {
  volatile_policy_spares_persistent_keys("volatile-lfu");
}
TEST(Eviction, VolatileRandomSparesPersistentKeys) {
  volatile_policy_spares_persistent_keys("volatile-random");
}

TEST(Eviction, EvictingABigCollectionIsOneStep) {
  BasaltServer server(limit_args("allkeys-random", 0));
  server.start();
  RespClient c = server.client();
  // ~50,000 fields (about 0.9 MB of dataset) in one hash.
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<std::string> args = {"HSET", "big"};
    for (int i = 0; i < 1000; ++i) {
      args.push_back("field-" + std::to_string(batch * 1000 + i));
      args.push_back("x");
    }
    ASSERT_FALSE(c.command(args).is_error());
  }
  long long before = used(c);
  EXPECT_GT(before, 900000);
  EXPECT_EQ(c.get_string({"CONFIG", "SET", "maxmemory", "1000"}), "OK");
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.command({"SET", "small", "1"}).is_status("OK"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(exists(c, "big"), false);
  EXPECT_EQ(evicted(c), 1);
  EXPECT_EQ(used(c), string_bytes("small", "1"));
}

TEST(Eviction, ReplicaOfAnEvictingMasterEndsIdenticalAndEvictsNothing) {
  // The replica has a far smaller maxmemory: it must still never evict on its own.
  MasterAndReplica pair(limit_args("allkeys-lru", kLimit), {"--maxmemory", "1000"});
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, std::chrono::seconds(20)));
  fill(m, "a:", 50);
  for (int i = 0; i < 100; ++i) {
    m.command({"HSET", "h:" + std::to_string(i), "f", kValue});
    m.command({"GET", "a:" + std::to_string(i % 50)});
  }
  fill(m, "c:", 100);
  ASSERT_GT(evicted(m), 100);
  ASSERT_EQ(m.get_integer({"WAIT", "1", "10000"}), 1);
  ASSERT_TRUE(wait_for_same_offset(m, r, std::chrono::seconds(20)));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(evicted(r), 0);
  EXPECT_EQ(used(r), used(m));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), m.get_integer({"DBSIZE"}));

  // A replica that full-syncs gets the same used_memory from the snapshot.
  BasaltServer late(replicaof_args(pair.master));
  late.start();
  RespClient l = late.client();
  ASSERT_TRUE(wait_for_master_link(l, std::chrono::seconds(20)));
  ASSERT_TRUE(wait_for_same_offset(m, l, std::chrono::seconds(20)));
  EXPECT_EQ(used(l), used(m));
  EXPECT_EQ(l.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST(Eviction, ConfigRepliesAndOomErrorMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  EXPECT_EQ(pair.same_all({
                {"CONFIG", "GET", "maxmemory-policy"},
                {"CONFIG", "SET", "maxmemory-policy", "foo"},
                {"CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"},
                {"CONFIG", "GET", "maxmemory-policy"},
                {"CONFIG", "GET", "maxmemory-samples"},
                {"CONFIG", "SET", "maxmemory-samples", "0"},
                {"CONFIG", "SET", "maxmemory-samples", "x"},
                {"CONFIG", "SET", "maxmemory-samples", "7"},
                {"CONFIG", "GET", "maxmemory-samples"},
                {"CONFIG", "GET", "lfu-log-factor"},
                {"CONFIG", "SET", "lfu-log-factor", "-1"},
                {"CONFIG", "GET", "lfu-decay-time"},
                {"CONFIG", "GET", "replica-ignore-maxmemory"},
                {"CONFIG", "SET", "replica-ignore-maxmemory", "maybe"},
                {"SET", "k", "v"},
                {"OBJECT", "FREQ", "k"},
                {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"},
                {"OBJECT", "IDLETIME", "k"},
                // Over the limit with nothing evictable: the same OOM error.
                {"CONFIG", "SET", "maxmemory-policy", "volatile-lru"},
                {"CONFIG", "SET", "maxmemory", "1"},
                {"SET", "k2", "v"},
                {"GET", "k"},
                {"CONFIG", "SET", "maxmemory", "0"},
                {"SET", "k2", "v"},
            }),
            "");
}

}  // namespace
}  // namespace basalt::test
