// tests/integration/memtable_hint_test.cpp — the memtable insert hints of the data and
// element families (storage/memtable_hints.h): RocksDB 7.8 shares one hint table between a
// memtable's point and range-deletion skiplists, so a range deletion that took a hint
// corrupted the memtable (Debian's librocksdb then aborts). Groups that mix random-key SETs,
// HSETs, SADDs, ZADDs (empty members and fields included), pops, DELs of collections (a range
// deletion of their elements), LPUSHes, FLUSHDB and FLUSHALL (range deletions of both
// families) are all answered, the node stays up, and the data equals redis-server's.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/heavy_probe.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

std::vector<Command> mixed_writes() {
  std::mt19937 rng(1);
  auto pick = [&](int n) { return std::to_string(rng() % static_cast<unsigned>(n)); };
  std::vector<Command> batch;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 50; ++i) {
      batch.push_back({"HSET", "h" + pick(30), "f" + pick(1000), "v"});
      batch.push_back({"SET", "k" + pick(100000), "v"});
      batch.push_back({"SADD", "s" + pick(30), "m" + pick(1000)});
      batch.push_back({"ZADD", "z" + pick(30), pick(100), "m" + pick(1000)});
    }
    batch.push_back({"HSET", "h" + pick(30), "", "empty field"});
    batch.push_back({"SADD", "s" + pick(30), ""});
    batch.push_back({"ZADD", "z" + pick(30), "1", ""});
    batch.push_back({"ZPOPMIN", "z" + pick(30), "3"});
    batch.push_back({"SREM", "s" + pick(30), "m" + pick(1000), ""});
    batch.push_back({"DEL", "h" + pick(30)});
    batch.push_back({"DEL", "s" + pick(30), "z" + pick(30)});
    batch.push_back({"LPUSH", "l" + pick(30), "a", "b"});
    for (int i = 0; i < 30; ++i) batch.push_back({"SET", "k" + pick(100000), "v"});
    if (round % 70 == 35) batch.push_back({"FLUSHDB"});
    if (round % 70 == 69) batch.push_back({"FLUSHALL"});
  }
  return batch;
}

TEST(MemtableHint, GroupsWithRangeDeletionsAreAllAnsweredAndMatchRedis) {
  BasaltServer basalt;
  RedisOracle redis;
  basalt.start();
  redis.start();
  const std::vector<Command> batch = mixed_writes();
  for (ServerProcess* server :
       {static_cast<ServerProcess*>(&basalt), static_cast<ServerProcess*>(&redis)}) {
    RespClient c = server->client();
    c.set_timeout(60s);
    send_pipelined(c, batch);
    EXPECT_TRUE(c.command({"PING"}).is_status("PONG"));
  }
  RespClient b = basalt.client();
  RespClient r = redis.client();
  EXPECT_EQ(b.command({"DBSIZE"}).integer, r.command({"DBSIZE"}).integer);
  for (int i = 0; i < 30; ++i) {
    const std::string h = "h" + std::to_string(i);
    EXPECT_EQ(b.command({"HLEN", h}).integer, r.command({"HLEN", h}).integer) << h;
    const std::string s = "s" + std::to_string(i);
    EXPECT_EQ(b.command({"SCARD", s}).integer, r.command({"SCARD", s}).integer) << s;
    EXPECT_EQ(b.command({"SISMEMBER", s, ""}).integer, r.command({"SISMEMBER", s, ""}).integer)
        << s;
    const std::string z = "z" + std::to_string(i);
    EXPECT_EQ(b.command({"ZRANGE", z, "0", "-1", "WITHSCORES"}).to_string(),
              r.command({"ZRANGE", z, "0", "-1", "WITHSCORES"}).to_string())
        << z;
  }
}

}  // namespace
}  // namespace basalt::test
