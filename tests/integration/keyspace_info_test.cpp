// tests/integration/keyspace_info_test.cpp — INFO keyspace's expires= (keys with a TTL per
// db): equal to redis-server's after TTLs are set, overwritten, kept, removed, renamed,
// copied, moved and flushed; kept across a restart; the same on a replica (streamed and
// after a full sync).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

std::string keyspace(RespClient& c) {
  std::string info = c.get_string({"INFO", "keyspace"});
  // avg_ttl is Redis's sampled estimate: not compared.
  std::string out;
  size_t pos = 0;
  while ((pos = info.find("db", pos)) != std::string::npos) {
    size_t end = info.find(",avg_ttl", pos);
    if (end == std::string::npos) break;
    out += info.substr(pos, end - pos) + "\n";
    pos = end;
  }
  return out;
}

const std::vector<Command> kTtlScript = {
    {"SET", "a", "1", "EX", "1000"},
    {"SET", "b", "1"},
    {"EXPIRE", "b", "1000"},
    {"SET", "c", "1", "PX", "900000"},
    {"SET", "c", "2"},  // an overwrite drops the TTL
    {"SET", "a", "3", "KEEPTTL"},
    {"HSET", "h", "f", "v"},
    {"PEXPIRE", "h", "500000"},
    {"RPUSH", "l", "x"},
    {"EXPIRE", "l", "100"},
    {"PERSIST", "l"},
    {"GETEX", "b", "PERSIST"},
    {"EXPIRE", "b", "50"},
    {"RENAME", "b", "b2"},
    {"COPY", "a", "a2"},
    {"MOVE", "a2", "3"},
    {"SETEX", "s", "100", "v"},
    {"DEL", "s"},
    {"SET", "gone", "1", "EX", "100"},
    {"EXPIRE", "gone", "0"},  // deleted at once
    {"SELECT", "5"},
    {"SET", "x", "1", "EX", "100"},
    {"FLUSHDB"},
    {"SET", "y", "1", "EX", "100"},
    {"SELECT", "0"},
};

TEST(KeyspaceInfo, ExpiresCountsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  for (const auto& cmd : kTtlScript) pair.send(cmd);
  const std::string mine = keyspace(pair.ours());
  EXPECT_EQ(mine, keyspace(pair.theirs()));
  EXPECT_NE(mine.find("db0:keys=5,expires=3"), std::string::npos) << mine;

  // Kept across a restart.
  pair.basalt().restart();
  RespClient again = pair.basalt().client();
  EXPECT_EQ(keyspace(again), mine);
}

TEST(KeyspaceInfo, ReplicaReportsTheSameExpiresAsItsMaster) {
  BasaltServer master;
  master.start();
  RespClient m = master.client();
  m.command({"SET", "before", "1", "EX", "1000"});  // reaches the replica in its full sync
  BasaltServer replica(replicaof_args(master));     // after a write: MasterAndReplica does not fit
  replica.start();
  RespClient r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, std::chrono::seconds(20)));
  for (size_t i = 0; i < kTtlScript.size(); ++i) m.command(kTtlScript[i]);
  ASSERT_EQ(m.get_integer({"WAIT", "1", "5000"}), 1);
  EXPECT_EQ(keyspace(r), keyspace(m));
  EXPECT_NE(keyspace(m).find("expires=4"), std::string::npos) << keyspace(m);
}

}  // namespace
}  // namespace basalt::test
