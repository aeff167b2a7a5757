// tests/integration/heavy_jobs_test.cpp — heavy jobs (node/core/heavy_job.h): a *STORE,
// COPY, RENAME or MOVE over large inputs runs off the event loop. While one runs, another
// client's PING is answered before the heavy command's reply arrives (an order, not a timing);
// the result equals redis-server's (differential, with a low heavy-command-threshold so small
// inputs take the heavy path); a replica applying the stream ends with the master's DEBUG
// DIGEST; and a kill -9 in the middle of a job leaves all of its effects or none.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/heavy_probe.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr size_t kMembers = 100000;

// A sorted set `z` and a set `s` of `n` members each (z: member:i scored i; s: member:i).
void fill(RespClient& c, size_t n) {
  std::vector<Command> batch;
  for (size_t i = 0; i < n; i += 1000) {
    Command zadd = {"ZADD", "z"}, sadd = {"SADD", "s"};
    for (size_t k = i; k < std::min(n, i + 1000); ++k) {
      const std::string m = std::to_string(k);
      zadd.insert(zadd.end(), {m, "member:" + m});
      sadd.push_back("member:" + m);
    }
    batch.push_back(std::move(zadd));
    batch.push_back(std::move(sadd));
    if (batch.size() >= 40) {
      send_pipelined(c, batch);
      batch.clear();
    }
  }
  send_pipelined(c, batch);
}

long long heavy_jobs(RespClient& c) {
  return info_int(c, "stats", "heavy_jobs");
}

TEST(HeavyJobs, PingIsAnsweredWhileABigStoreRunsAndTheReplicaAgrees) {
  MasterAndReplica pair;
  RespClient c = pair.master.client();
  c.set_timeout(120s);
  RespClient other = pair.master.client();
  other.set_timeout(120s);
  RespClient replica = pair.replica.client();
  replica.set_timeout(120s);
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
  fill(c, kMembers);
  const auto n = static_cast<long long>(kMembers);

  Reply r;
  EXPECT_TRUE(ping_answered_during(c, other, {"ZUNIONSTORE", "zu", "2", "z", "s"}, r));
  EXPECT_TRUE(r.is_integer(n)) << r.to_string();
  EXPECT_TRUE(ping_answered_during(c, other, {"SUNIONSTORE", "su", "s", "s"}, r));
  EXPECT_TRUE(r.is_integer(n)) << r.to_string();
  EXPECT_TRUE(ping_answered_during(c, other, {"COPY", "z", "zc"}, r));
  EXPECT_TRUE(r.is_integer(1)) << r.to_string();
  EXPECT_TRUE(ping_answered_during(c, other, {"RENAME", "zc", "zr"}, r));
  EXPECT_TRUE(r.is_status("OK")) << r.to_string();

  // The results, as Redis computes them: member:i scores i + 1 in the union with the set.
  EXPECT_EQ(c.get_integer({"ZCARD", "zu"}), n);
  EXPECT_EQ(c.get_string({"ZSCORE", "zu", "member:41"}), "42");
  EXPECT_EQ(c.get_integer({"SCARD", "su"}), n);
  EXPECT_EQ(c.get_integer({"ZCARD", "zr"}), n);
  EXPECT_EQ(c.get_integer({"EXISTS", "zc"}), 0);
  EXPECT_EQ(c.get_string({"ZSCORE", "zr", "member:7"}), "7");
  EXPECT_EQ(c.get_integer({"DBSIZE"}), 5);

  // (A generous bound: the replica applies 100,000-member commands on 2 shared cores.)
  ASSERT_TRUE(wait_for_same_offset(c, replica, 240s))
      << "master " << info_int(c, "replication", "master_repl_offset") << ", replica "
      << info_int(replica, "replication", "master_repl_offset") << ", replica heavy_jobs "
      << heavy_jobs(replica);
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), c.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(replica.get_integer({"DBSIZE"}), 5);
  // The replica applied them as heavy jobs too (its loop was not held either).
  EXPECT_GE(heavy_jobs(replica), 4);
}

TEST(HeavyJobs, ResultsEqualRedisServers) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair pair;
  // Every input of 2 elements or more takes the heavy path.
  ASSERT_TRUE(
      pair.ours().command({"CONFIG", "SET", "heavy-command-threshold", "2"}).is_status("OK"));
  SeededRandom random(9);
  std::vector<Command> setup;
  for (const std::string key : {"z1", "z2", "z3"}) {
    Command zadd = {"ZADD", key};
    for (int i = 0; i < 300; ++i) {
      zadd.push_back(std::to_string(random.uniform(-50, 50)) + "." + std::to_string(i % 7));
      zadd.push_back("m" + std::to_string(random.uniform(0, 500)));
    }
    setup.push_back(zadd);
  }
  for (const std::string key : {"s1", "s2", "s3"}) {
    Command sadd = {"SADD", key};
    for (int i = 0; i < 300; ++i) sadd.push_back("m" + std::to_string(random.uniform(0, 500)));
    setup.push_back(sadd);
  }
  setup.push_back({"SET", "str", "v"});
  setup.push_back({"RPUSH", "list", "a", "b", "c"});
  setup.push_back({"EXPIRE", "z3", "1000"});
  EXPECT_EQ(pair.same_all(setup), "");

  const std::vector<Command> commands = {
      {"ZUNIONSTORE", "d1", "3", "z1", "z2", "s1", "WEIGHTS", "2", "0.5", "3"},
      {"ZUNIONSTORE", "d2", "2", "z1", "z3", "AGGREGATE", "MAX"},
      {"ZINTERSTORE", "d3", "3", "z1", "z2", "s2", "AGGREGATE", "MIN"},
      {"ZDIFFSTORE", "d4", "2", "z1", "z2"},
      {"ZUNIONSTORE", "d5", "2", "z1", "str"},
      {"ZUNIONSTORE", "d5", "2", "z1", "z2", "WEIGHTS", "x", "1"},
      {"ZRANGESTORE", "d6", "z2", "10", "200"},
      {"ZRANGESTORE", "d7", "z2", "(0", "+inf", "BYSCORE", "LIMIT", "3", "50"},
      {"SUNIONSTORE", "e1", "s1", "s2", "s3"},
      {"SINTERSTORE", "e2", "s1", "s2"},
      {"SDIFFSTORE", "e3", "s1", "s2", "s3"},
      {"SDIFFSTORE", "e4", "s1", "z1"},
      {"SINTERSTORE", "s1", "s1", "s3"},
      {"COPY", "z1", "c1"},
      {"COPY", "z1", "c1"},
      {"COPY", "z3", "c1", "REPLACE"},
      {"COPY", "s2", "c2", "DB", "3"},
      {"RENAME", "c1", "r1"},
      {"RENAMENX", "r1", "z2"},
      {"RENAMENX", "r1", "r2"},
      {"MOVE", "r2", "4"},
      {"SUNIONSTORE", "list", "s2", "s3"},
      {"ZINTERSTORE", "d8", "2", "z1", "list"},
  };
  EXPECT_EQ(pair.same_all(commands), "");

  std::vector<Command> reads;
  for (const std::string key : {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "z2"})
    reads.push_back({"ZRANGE", key, "0", "-1", "WITHSCORES"});
  for (const std::string key : {"e1", "e2", "e3", "e4", "s1", "list"}) {
    reads.push_back({"SCARD", key});
    reads.push_back({"SINTERCARD", "2", key, "s2"});
    reads.push_back({"TYPE", key});
  }
  for (const std::string key : {"c1", "r1", "r2", "z3"}) reads.push_back({"EXISTS", key});
  reads.push_back({"DBSIZE"});
  reads.push_back({"SELECT", "3"});
  reads.push_back({"SCARD", "c2"});
  reads.push_back({"SELECT", "4"});
  reads.push_back({"ZRANGE", "r2", "0", "-1", "WITHSCORES"});
  reads.push_back({"PERSIST", "r2"});  // the TTL z3 had went along with COPY, RENAME, MOVE
  reads.push_back({"SELECT", "0"});
  EXPECT_EQ(pair.same_all(reads), "");
  EXPECT_GE(heavy_jobs(pair.ours()), 15);
}

TEST(HeavyJobs, AKill9InTheMiddleLeavesAllOrNothing) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  c.set_timeout(120s);
  RespClient other = server.client();
  fill(c, kMembers);
  c.send_command({"ZUNIONSTORE", "zu", "2", "z", "s"});
  ASSERT_TRUE(wait_until([&] { return heavy_jobs(other) >= 1; }, 60s));
  server.kill9();
  server.restart();
  RespClient after = server.client(30s);
  after.set_timeout(60s);
  long long card = after.get_integer({"ZCARD", "zu"});
  EXPECT_TRUE(card == 0 || card == static_cast<long long>(kMembers)) << card;
  EXPECT_EQ(after.get_integer({"DBSIZE"}), card == 0 ? 2 : 3);
  EXPECT_EQ(after.get_integer({"ZCARD", "z"}), static_cast<long long>(kMembers));
  // The job runs again to completion after the restart.
  after.set_timeout(120s);
  EXPECT_TRUE(after.command({"ZUNIONSTORE", "zu", "2", "z", "s"})
                  .is_integer(static_cast<long long>(kMembers)));
}

}  // namespace
}  // namespace basalt::test
