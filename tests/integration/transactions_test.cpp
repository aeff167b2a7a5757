// tests/integration/transactions_test.cpp — MULTI / EXEC / DISCARD / WATCH / UNWATCH: raw replies
// compared byte for byte with Redis 7.0 (errors, EXECABORT, WATCH touched by another client, by
// expiry and by FLUSHDB / FLUSHALL), and replication of EXEC wrapped in MULTI ... EXEC.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using Cmd = std::vector<std::string>;

// One step: which client (0 or 1) sends the command.
struct Step {
  int client;
  Cmd cmd;
};

// Runs the steps on one server; returns the raw replies, in order.
std::vector<std::string> run_steps(ServerProcess& server, const std::vector<Step>& steps) {
  RespClient a = server.client();
  RespClient b = server.client();
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back((s.client == 0 ? a : b).command_raw(s.cmd));
  return out;
}

void expect_same_as_redis(const std::vector<Step>& steps) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  auto got = run_steps(servers.basalt(), steps);
  auto want = run_steps(servers.redis(), steps);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << "step " << i << ": " << render_command(steps[i].cmd);
  }
}

TEST(Transactions, ErrorsAndQueueingMatchRedis) {
  expect_same_as_redis({
      {0, {"EXEC"}},
      {0, {"DISCARD"}},
      {0, {"MULTI"}},
      {0, {"MULTI"}},
      {0, {"WATCH", "k"}},
      {0, {"SET", "k", "1"}},
      {0, {"INCR", "k"}},
      {0, {"LPUSH", "k", "x"}},  // a runtime error: reported inside EXEC's array
      {0, {"GET", "k"}},
      {0, {"EXEC"}},
      {0, {"MULTI"}},
      {0, {"SET", "k"}},  // arity error: EXECABORT
      {0, {"SET", "k", "2"}},
      {0, {"NOSUCHCOMMAND", "a"}},
      {0, {"EXEC"}},
      {0, {"GET", "k"}},
      {0, {"MULTI"}},
      {0, {"SET", "k", "3"}},
      {0, {"DISCARD"}},
      {0, {"GET", "k"}},
      {0, {"MULTI"}},
      {0, {"EXEC"}},
      {0, {"MULTI"}},
      {0, {"HSET", "h", "f", "v"}},
      {0, {"SADD", "s", "a", "b"}},
      {0, {"ZADD", "z", "1", "m"}},
      {0, {"RPUSH", "l", "a"}},
      {0, {"SELECT", "1"}},
      {0, {"SET", "k1", "v"}},
      {0, {"EXEC"}},
      {0, {"GET", "k1"}},
      {0, {"SELECT", "0"}},
      {0, {"HGETALL", "h"}},
  });
}

TEST(Transactions, WatchMatchesRedis) {
  expect_same_as_redis({
      // Touched by another client: EXEC answers a null array and runs nothing.
      {0, {"WATCH", "w"}},
      {1, {"SET", "w", "1"}},
      {0, {"MULTI"}},
      {0, {"SET", "z", "1"}},
      {0, {"EXEC"}},
      {0, {"GET", "z"}},
      // Not touched: runs. The watch ends with EXEC.
      {0, {"WATCH", "w"}},
      {0, {"MULTI"}},
      {0, {"SET", "z", "2"}},
      {0, {"EXEC"}},
      {1, {"SET", "w", "2"}},
      {0, {"MULTI"}},
      {0, {"GET", "z"}},
      {0, {"EXEC"}},
      // UNWATCH forgets; DISCARD unwatches.
      {0, {"WATCH", "w"}},
      {0, {"UNWATCH"}},
      {1, {"DEL", "w"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
      {0, {"WATCH", "w"}},
      {0, {"MULTI"}},
      {0, {"DISCARD"}},
      {1, {"SET", "w", "3"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
      // Collections: an element write touches the key.
      {0, {"WATCH", "h"}},
      {1, {"HSET", "h", "f", "v"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
      // FLUSHALL touches watched keys that existed, not missing ones.
      {0, {"WATCH", "missing"}},
      {1, {"FLUSHALL"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
      {1, {"SET", "f", "1"}},
      {0, {"WATCH", "f"}},
      {1, {"FLUSHDB"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
      // The same key in another db is another key.
      {0, {"WATCH", "x"}},
      {1, {"SELECT", "2"}},
      {1, {"SET", "x", "1"}},
      {0, {"MULTI"}},
      {0, {"PING"}},
      {0, {"EXEC"}},
  });
}

// Runs: SET e 1 PX 50, WATCH e, wait until it expired, MULTI, PING, EXEC.
std::vector<std::string> watch_expiring(ServerProcess& server) {
  auto c = server.client();
  std::vector<std::string> out;
  out.push_back(c.command_raw({"SET", "e", "1", "PX", "50"}));
  out.push_back(c.command_raw({"WATCH", "e"}));
  auto other = server.client();
  EXPECT_TRUE(wait_until([&] { return other.get_integer({"PTTL", "e"}) == -2; }, 5s));
  out.push_back(c.command_raw({"MULTI"}));
  out.push_back(c.command_raw({"PING"}));
  out.push_back(c.command_raw({"EXEC"}));
  return out;
}

TEST(Transactions, WatchedKeyExpiringAbortsLikeRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  auto got = watch_expiring(servers.basalt());
  EXPECT_EQ(got, watch_expiring(servers.redis()));
  EXPECT_EQ(got.back(), "*-1\r\n");
}

TEST(Transactions, ExecIsReplicatedWrappedInMultiExec) {
  // No replication PING may land between the two offsets read below.
  QuietLinkedPair pair;
  RespClient& m = pair.master;
  RespClient& r = pair.replica;

  long long before = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(m.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "a", "1"}).is_status("QUEUED"));
  ASSERT_TRUE(m.command({"INCR", "b"}).is_status("QUEUED"));
  ASSERT_TRUE(m.command({"GET", "a"}).is_status("QUEUED"));
  EXPECT_EQ(m.command_raw({"EXEC"}), "*3\r\n+OK\r\n:1\r\n$1\r\n1\r\n");
  long long after = info_int(m, "replication", "master_repl_offset");
  // Exactly MULTI, the two writes, EXEC: the read is not logged.
  std::string expected = encode_command({"MULTI"}) + encode_command({"SET", "a", "1"}) +
                         encode_command({"INCR", "b"}) + encode_command({"EXEC"});
  EXPECT_EQ(after - before, static_cast<long long>(expected.size()));

  // A transaction of reads only logs nothing.
  ASSERT_TRUE(m.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(m.command({"GET", "a"}).is_status("QUEUED"));
  m.command({"EXEC"});
  EXPECT_EQ(info_int(m, "replication", "master_repl_offset"), after);

  // Many types, two dbs, then the replica reaches the same digest.
  ASSERT_TRUE(m.command({"MULTI"}).is_status("OK"));
  m.command({"HSET", "h", "f", "v", "g", "w"});
  m.command({"SADD", "s", "x", "y", "z"});
  m.command({"SPOP", "s"});
  m.command({"ZADD", "z", "1", "a", "2", "b"});
  m.command({"RPUSH", "l", "1", "2", "3"});
  m.command({"SELECT", "3"});
  m.command({"SET", "k3", "v"});
  m.command({"SELECT", "0"});
  m.command({"DEL", "a"});
  Reply exec = m.command({"EXEC"});
  ASSERT_EQ(exec.type, Reply::Array) << exec.to_string();
  ASSERT_EQ(exec.elements.size(), 9u);

  // EXEC of reads is accepted by a replica; a queued write is refused there as Redis does.
  ASSERT_TRUE(r.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(r.command({"PING"}).is_status("QUEUED"));
  EXPECT_EQ(r.command_raw({"EXEC"}), "*1\r\n+PONG\r\n");
  ASSERT_TRUE(r.command({"MULTI"}).is_status("OK"));
  EXPECT_TRUE(r.command({"SET", "x", "1"}).is_error());
  EXPECT_TRUE(r.command({"EXEC"}).is_error());

  long long target = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(
      wait_until([&] { return info_int(r, "replication", "master_repl_offset") == target; }, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.get_string({"GET", "b"}), "1");
}

}  // namespace
}  // namespace basalt::test
