// tests/integration/memtable_hint_test.cpp — the memtable insert hint of the data family
// (storage/engine.cpp, DbPrefixHint): RocksDB 7.8 shares one hint table between a memtable's
// point and range-deletion skiplists, so a range deletion that took a hint corrupted the
// memtable (Debian's librocksdb then aborts). Groups that mix random-key SETs, HSETs, DELs of
// hashes (a range deletion of their elements), LPUSHes, FLUSHDB and FLUSHALL (range deletions
// of the data family) are all answered, the node stays up, and the data equals redis-server's.
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
    }
    batch.push_back({"DEL", "h" + pick(30)});
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
  }
}

}  // namespace
}  // namespace basalt::test
