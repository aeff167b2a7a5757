// tests/integration/element_cache_test.cpp — the element cache across write groups
// (KeyspaceShared::element_cache) where it is emptied rather than kept current: after a heavy
// job (its own view, off the loop, writes elements the cache does not see) and after a full
// sync (the dataset under it is replaced; the same collection versions come back with other
// elements). In both, elements the cache held are answered as the store now holds them. And on
// a replica, whose cache its readers fill while the master's stream changes the elements: the
// point reads (which the cache answers; a digest walks the store instead) equal redis-server's.
// (What ordinary groups keep current: element_memo_test.cpp's differential pipelines, which run
// with the cache on, one of them with a budget small enough to evict.) And the collections it
// holds completely (node/core/element_cache.h: a new collection's members it does not hold
// are answered absent): new hashes, sets, sorted sets and lists, some with values too large
// to cache, more than a small cache holds, across a restart, answer as redis-server does.
#include <gtest/gtest.h>

#include <random>
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

// Rounds of master writes over three collections of eight members each (adding, changing,
// removing members, deleting and recreating the collections), sent to redis-server too; after
// each, once the replica has applied it, every member is read on the replica, the master and
// redis-server (the master and the replica answer from their caches alike: redis-server is the
// judge).
TEST(ElementCache, AReplicasPointReadsFollowTheMastersElementWrites) {
  MasterAndReplica pair;
  RedisOracle redis;
  redis.start();
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  RespClient oracle = redis.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  std::mt19937 rng(20261207);
  auto n = [&](unsigned bound) { return static_cast<int>(rng() % bound); };
  auto member = [&] { return "m" + std::to_string(n(8)); };
  std::vector<std::vector<std::string>> reads;
  for (int i = 0; i < 8; ++i) {
    const std::string mi = "m" + std::to_string(i);
    reads.push_back({"HGET", "h", mi});
    reads.push_back({"SISMEMBER", "s", mi});
    reads.push_back({"ZSCORE", "z", mi});
  }
  for (int round = 0; round < 30; ++round) {
    std::vector<std::vector<std::string>> writes;
    for (int k = 0; k < 20; ++k) {
      switch (n(8)) {
        case 0:
          writes.push_back({"HSET", "h", member(), std::to_string(n(100))});
          break;
        case 1:
          writes.push_back({"HDEL", "h", member()});
          break;
        case 2:
          writes.push_back({"SADD", "s", member(), member()});
          break;
        case 3:
          writes.push_back({"SREM", "s", member()});
          break;
        case 4:
          writes.push_back({"ZADD", "z", std::to_string(n(100)), member()});
          break;
        case 5:
          writes.push_back({"ZREM", "z", member()});
          break;
        case 6:
          writes.push_back({"ZINCRBY", "z", "1", member()});
          break;
        default:
          writes.push_back({n(2) ? "DEL" : "UNLINK", n(3) == 0 ? "h" : (n(2) ? "s" : "z")});
          break;
      }
    }
    std::string bytes;
    for (const auto& w : writes) bytes += encode_command(w);
    m.send_raw(bytes);
    oracle.send_raw(bytes);
    for (const auto& w : writes)
      ASSERT_EQ(m.read_reply_raw(), oracle.read_reply_raw()) << round << ": " << w[0];
    ASSERT_TRUE(wait_for_same_offset(m, r, 30s)) << round;
    for (const auto& read : reads) {
      const std::string expected = oracle.command_raw(read);
      ASSERT_EQ(r.command_raw(read), expected) << round << ": " << read[0] << " " << read[2];
      ASSERT_EQ(m.command_raw(read), expected) << round << ": " << read[0] << " " << read[2];
    }
  }
  EXPECT_GT(info_int(r, "stats", "element_cache_hits"), 0);
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

// Rounds of pipelined writes that create, grow, shrink and delete four hashes, sets, sorted sets
// and lists (so most of them are new collections, complete in the cache), with one field in
// twenty larger than the cache keeps, on basalt with an element cache of 24 KB (evicting) and
// on redis-server; after each round every member of every key is read on both. Half way
// basalt restarts (its cache starts empty: nothing is complete). Each read must be equal: a
// complete collection that lost an element from the cache would answer it absent.
TEST(ElementCache, NewCollectionsAnsweredAsCompleteMatchRedis) {
  BasaltServer basalt({"--element-cache-size", "24kb"});
  RedisOracle redis;
  basalt.start();
  redis.start();
  std::mt19937 rng(7);
  auto n = [&](unsigned bound) { return static_cast<int>(rng() % bound); };
  auto key = [&](std::string_view type) { return std::string(type) + std::to_string(n(4)); };
  auto member = [&] { return "m" + std::to_string(n(24)); };
  auto value = [&] {
    return n(20) == 0 ? std::string(70 * 1024, 'a' + n(26)) : std::to_string(n(1000));
  };
  std::vector<std::vector<std::string>> reads;
  for (int k = 0; k < 4; ++k) {
    const std::string i = std::to_string(k);
    reads.push_back({"LRANGE", "l" + i, "0", "-1"});
    for (int m = 0; m < 24; ++m) {
      const std::string mi = "m" + std::to_string(m);
      reads.push_back({"HGET", "h" + i, mi});
      reads.push_back({"SISMEMBER", "s" + i, mi});
      reads.push_back({"ZSCORE", "z" + i, mi});
    }
  }
  long long complete_hits = 0;
  for (int round = 0; round < 24; ++round) {
    if (round == 12) {
      RespClient before = basalt.client();
      complete_hits = info_int(before, "stats", "element_cache_complete_hits");
      basalt.restart();
    }
    RespClient b = basalt.client();
    RespClient r = redis.client();
    std::string bytes;
    std::vector<std::string> names;
    for (int k = 0; k < 60; ++k) {
      std::vector<std::string> w;
      switch (n(10)) {
        case 0:
          w = {"HSET", key("h"), member(), value(), member(), value()};
          break;
        case 1:
          w = {"HDEL", key("h"), member(), member()};
          break;
        case 2:
          w = {"SADD", key("s"), member(), member(), member()};
          break;
        case 3:
          w = {"SREM", key("s"), member(), member()};
          break;
        case 4:
          w = {"ZADD", key("z"), std::to_string(n(50)), member(), std::to_string(n(50)), member()};
          break;
        case 5:
          w = {"ZREM", key("z"), member(), member()};
          break;
        case 6:
          w = {n(2) ? "LPUSH" : "RPUSH", key("l"), member(), value()};
          break;
        case 7:
          w = {n(2) ? "LPOP" : "RPOP", key("l"), "2"};
          break;
        case 8:
          w = n(2) ? std::vector<std::string>{"SMOVE", key("s"), key("s"), member()}
                   : std::vector<std::string>{n(2) ? "ZPOPMIN" : "ZPOPMAX", key("z"), "3"};
          break;
        default:
          w = {"DEL", key(n(2) ? "h" : (n(2) ? "s" : (n(2) ? "z" : "l")))};
          break;
      }
      bytes += encode_command(w);
      names.push_back(w[0] + " " + w[1]);
    }
    b.send_raw(bytes);
    r.send_raw(bytes);
    for (const auto& name : names) {
      const std::string theirs = r.read_reply_raw();
      const std::string ours = b.read_reply_raw();
      ASSERT_EQ(ours, theirs) << round << ": " << name;
    }
    for (const auto& read : reads)
      ASSERT_EQ(b.command_raw(read), r.command_raw(read))
          << round << ": " << read[0] << " " << read[1] << " " << read[2];
  }
  // The path under test ran: absent members were answered from complete collections.
  EXPECT_GT(complete_hits, 0);
  RespClient after = basalt.client();
  EXPECT_GT(info_int(after, "stats", "element_cache_complete_hits"), 0);
}

}  // namespace
}  // namespace basalt::test
