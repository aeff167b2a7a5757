// tests/integration/scripting_test.cpp — EVAL and friends on real basalt processes: scripts
// replicate as their effects (one command as is, several wrapped in MULTI/EXEC, reads not at
// all, EVAL itself never), so a replica reaches the master's DEBUG DIGEST even for scripts
// using TIME, SRANDMEMBER and SPOP under load from several clients; a replica runs read-only
// scripts and refuses writes from scripts with READONLY; a running script is atomic (other
// clients wait), past busy-reply-threshold they get -BUSY, SCRIPT KILL ends a script that has
// not written (-UNKILLABLE otherwise) and SHUTDOWN NOSAVE ends any, its writes not committed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

TEST(Scripting, WritesReplicateAsEffects) {
  QuietLinkedPair pair;
  RespClient& m = pair.master;
  RespClient& r = pair.replica;

  // Two writes: MULTI, the writes, EXEC.
  long long before = info_int(m, "replication", "master_repl_offset");
  EXPECT_EQ(
      m.command_raw({"EVAL", "redis.call('set',KEYS[1],ARGV[1]) return redis.call('incr',KEYS[2])",
                     "2", "a", "b", "1"}),
      ":1\r\n");
  long long after = info_int(m, "replication", "master_repl_offset");
  std::string expected = encode_command({"MULTI"}) + encode_command({"set", "a", "1"}) +
                         encode_command({"incr", "b"}) + encode_command({"EXEC"});
  EXPECT_EQ(after - before, static_cast<long long>(expected.size()));

  // One write: as is. Reads only: nothing.
  before = after;
  EXPECT_EQ(m.command_raw({"EVAL", "return redis.call('set','c','3')", "0"}), "+OK\r\n");
  after = info_int(m, "replication", "master_repl_offset");
  EXPECT_EQ(after - before, static_cast<long long>(encode_command({"set", "c", "3"}).size()));
  EXPECT_EQ(m.command_raw({"EVAL", "return redis.call('get','c')", "0"}), "$1\r\n3\r\n");
  EXPECT_EQ(info_int(m, "replication", "master_repl_offset"), after);

  // redis.set_repl(REPL_NONE): the write is not replicated (as Redis).
  EXPECT_EQ(
      m.command_raw(
          {"EVAL", "redis.set_repl(redis.REPL_NONE) return redis.call('set','local','1')", "0"}),
      "+OK\r\n");
  EXPECT_EQ(info_int(m, "replication", "master_repl_offset"), after);
  ASSERT_TRUE(m.command({"DEL", "local"}).is_integer(1));

  // SELECT inside a script stays inside it; the effects land in the right db.
  EXPECT_EQ(
      m.command_raw({"EVAL", "redis.call('select','5') return redis.call('set','in5','x')", "0"}),
      "+OK\r\n");
  EXPECT_EQ(m.command_raw({"EXISTS", "in5"}), ":0\r\n");
  ASSERT_TRUE(m.command({"SELECT", "5"}).is_status("OK"));
  EXPECT_EQ(m.command_raw({"GET", "in5"}), "$1\r\nx\r\n");
  ASSERT_TRUE(m.command({"SELECT", "0"}).is_status("OK"));

  // A script inside MULTI/EXEC.
  ASSERT_TRUE(m.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(m.command({"EVAL", "return redis.call('incr','b')", "0"}).is_status("QUEUED"));
  EXPECT_EQ(m.command_raw({"EXEC"}), "*1\r\n:2\r\n");

  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.command_raw({"GET", "b"}), "$1\r\n2\r\n");
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST(Scripting, RandomScriptsUnderLoadGiveTheReplicaTheSameDigest) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"SADD", "pool", "a", "b", "c", "d", "e", "f", "g"}).is_integer(7));
  const std::string script =
      "local t = redis.call('time')\n"
      "redis.call('set', KEYS[1], t[1] .. '.' .. t[2])\n"
      "local pick = redis.call('srandmember', 'pool')\n"
      "redis.call('rpush', KEYS[2], pick)\n"
      "redis.call('hincrby', 'counts', pick, 1)\n"
      "if tonumber(t[2]) % 3 == 0 then redis.call('spop', 'pool') redis.call('sadd', 'pool', pick) "
      "end\n"
      "return redis.call('llen', KEYS[2])";
  const std::string sha = m.get_string({"SCRIPT", "LOAD", script});
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      RespClient c(servers.master.port());
      c.connect();
      for (int i = 0; i < 200; ++i) {
        std::vector<std::string> args = {"EVALSHA", sha, "2", "t" + std::to_string(w),
                                         "l" + std::to_string(i % 7)};
        if (i % 5 == 0)
          args = {"EVAL", script, "2", "t" + std::to_string(w), "l" + std::to_string(i % 7)};
        if (c.command(args).type != Reply::Integer) ++failures;
        if (i % 10 == 0 &&
            c.command({"SET", "plain" + std::to_string(i), "v"}).type != Reply::Status)
          ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_NE(m.get_string({"DEBUG", "DIGEST"}), std::string(40, '0'));
}

TEST(Scripting, ReplicaRunsReadOnlyScriptsAndRefusesWrites) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));

  EXPECT_EQ(r.command_raw({"EVAL_RO", "return redis.call('get',KEYS[1])", "1", "k"}),
            "$1\r\nv\r\n");
  EXPECT_EQ(r.command_raw({"EVAL", "return redis.call('get','k')", "0"}), "$1\r\nv\r\n");
  EXPECT_EQ(r.command_raw({"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0"}),
            "$1\r\nv\r\n");
  // A write from a script without flags: refused when it is called.
  std::string refused = r.command_raw({"EVAL", "return redis.call('set','k','x')", "0"});
  EXPECT_EQ(refused.rfind("-READONLY You can't write against a read only replica. script: ", 0), 0u)
      << refused;
  // A script that declares it may write: refused before it runs.
  EXPECT_EQ(r.command_raw({"EVAL", "#!lua\nreturn redis.call('set','k','x')", "0"}),
            "-READONLY You can't write against a read only replica.\r\n");
  EXPECT_EQ(r.command_raw({"GET", "k"}), "$1\r\nv\r\n");
}

TEST(Scripting, OtherClientsWaitForARunningScript) {
  BasaltServer server;
  server.start();
  auto a = server.client();
  auto b = server.client();
  // A script that takes a while between its two writes: no other client may see the first.
  a.send_command({"EVAL",
                  "redis.call('set','k','1') local n = 0 for i = 1, 3000000 do n = n + 1 end "
                  "redis.call('set','k','2') return n",
                  "0"});
  std::vector<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (a.buffered_bytes() == 0 && std::chrono::steady_clock::now() < deadline) {
    seen.push_back(b.command_raw({"GET", "k"}));
    a.closed_by_peer(0ms);  // pulls what arrived into a's buffer
  }
  EXPECT_EQ(a.read_reply_raw(), ":3000000\r\n");
  EXPECT_FALSE(seen.empty());
  for (const auto& reply : seen) EXPECT_NE(reply, "$1\r\n1\r\n");
  EXPECT_EQ(b.command_raw({"GET", "k"}), "$1\r\n2\r\n");
}

TEST(Scripting, BusyScriptAnswersBusyAndScriptKillEndsIt) {
  BasaltServer server({"--busy-reply-threshold", "200"});
  server.start();
  auto a = server.client();
  auto b = server.client();
  EXPECT_EQ(b.command_raw({"CONFIG", "GET", "lua-time-limit"}),
            "*2\r\n$14\r\nlua-time-limit\r\n$3\r\n200\r\n");  // as Redis names an alias
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  a.send_command({"EVAL", "while true do end", "0"});
  const std::string busy =
      "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
      "NOSAVE.\r\n";
  // Held until the threshold passes, then -BUSY (PING may answer before the script started).
  ASSERT_TRUE(wait_until([&] { return b.command_raw({"PING"}) == busy; }, 20s));
  EXPECT_EQ(b.command_raw({"SET", "x", "1"}), busy);
  EXPECT_EQ(b.command_raw({"SHUTDOWN"}), busy);
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}), "+OK\r\n");
  std::string killed = a.read_reply_raw();
  EXPECT_EQ(killed.rfind("-ERR Script killed by user with SCRIPT KILL... script: ", 0), 0u)
      << killed;
  // The node keeps serving, scripts included; pcall can't swallow a kill either.
  EXPECT_EQ(b.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(a.command_raw({"EVAL", "return 7", "0"}), ":7\r\n");
  a.send_command(
      {"EVAL", "while true do pcall(function() while true do end end) end return 1", "0"});
  ASSERT_TRUE(wait_until([&] { return b.command_raw({"PING"}) == busy; }, 20s));
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}), "+OK\r\n");
  killed = a.read_reply_raw();
  EXPECT_EQ(killed.rfind("-ERR Script killed by user with SCRIPT KILL... script: ", 0), 0u)
      << killed;
  EXPECT_EQ(b.command_raw({"SET", "x", "1"}), "+OK\r\n");
  EXPECT_GE(b.get_integer({"DBSIZE"}), 1);
}

TEST(Scripting, WritingBusyScriptIsUnkillableAndShutdownNosaveEndsIt) {
  BasaltServer server({"--busy-reply-threshold", "200"});
  server.start();
  auto a = server.client();
  auto b = server.client();
  ASSERT_TRUE(b.command({"SET", "before", "1"}).is_status("OK"));
  a.send_command({"EVAL", "redis.call('set','w','1') while true do end", "0"});
  const std::string busy =
      "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
      "NOSAVE.\r\n";
  ASSERT_TRUE(wait_until([&] { return b.command_raw({"PING"}) == busy; }, 20s));
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}),
            "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
            "You can either wait the script termination or kill the server in a hard way using "
            "the SHUTDOWN NOSAVE command.\r\n");
  EXPECT_EQ(server.shutdown({"SHUTDOWN", "NOSAVE"}), 0);
  // The script's write was never committed; what was committed before is there.
  server.start();
  auto c = server.client();
  EXPECT_EQ(c.command_raw({"EXISTS", "w"}), ":0\r\n");
  EXPECT_EQ(c.command_raw({"GET", "before"}), "$1\r\n1\r\n");
}

TEST(Scripting, ScriptInsideExecIsCappedAtTheThreshold) {
  BasaltServer server({"--busy-reply-threshold", "200"});
  server.start();
  auto c = server.client();
  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(c.command({"SET", "kept", "1"}).is_status("QUEUED"));
  ASSERT_TRUE(
      c.command({"EVAL", "redis.call('set','w','1') while true do end", "0"}).is_status("QUEUED"));
  std::string reply = c.command_raw({"EXEC"});
  EXPECT_EQ(reply.rfind("*2\r\n+OK\r\n-ERR Script stopped by basalt: it ran longer than "
                        "busy-reply-threshold (200 ms) inside MULTI/EXEC; its writes were undone "
                        "script: ",
                        0),
            0u)
      << reply;
  EXPECT_EQ(c.command_raw({"EXISTS", "w"}), ":0\r\n");
  EXPECT_EQ(c.command_raw({"GET", "kept"}), "$1\r\n1\r\n");
}

}  // namespace
}  // namespace basalt::test
