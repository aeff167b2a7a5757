// tests/integration/scripting_slice_test.cpp — a script starts inline on the event loop and,
// once it runs past the inline slice, goes on on the script thread (script_host.h): such a
// script still holds every other client (-BUSY past busy-reply-threshold), its redis.call
// commands keep working after the switch and its effects replicate as one MULTI/EXEC; a
// read-only one that called commands before the switch is ended by SCRIPT KILL, a writing one
// is UNKILLABLE. FLUSHALL / FLUSHDB run inside scripts as in Redis 7.0 (compared byte for
// byte with redis-server), inside MULTI too, and replicate. A script queued in MULTI runs
// inline at EXEC, also when it runs past the slice.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

const std::string kBusy =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";

// Calls INCR n until the server's clock says 1.5 s passed since the script began: it runs
// past the slice with commands before and after the switch.
const std::string kLongIncr =
    "redis.call('set', KEYS[2], 'start')\n"
    "local t0 = redis.call('time')\n"
    "local calls = 0\n"
    "repeat\n"
    "  redis.call('incr', KEYS[1]) calls = calls + 1\n"
    "  local t = redis.call('time')\n"
    "until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1500000\n"
    "redis.call('set', KEYS[2], 'end')\n"
    "return {calls, tonumber(redis.call('get', KEYS[1]))}";

TEST(ScriptingSlice, LongScriptMovesToTheThreadKeepsItsCallsAndReplicates) {
  MasterAndReplica servers({"--busy-reply-threshold", "100"});
  auto m = servers.master.client();
  auto r = servers.replica.client();
  auto other = servers.master.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"SET", "n", "10"}).is_status("OK"));
  m.send_command({"EVAL", kLongIncr, "2", "n", "mark"});
  // The loop serves meanwhile: -BUSY (the script went to the thread), and it is unkillable.
  ASSERT_TRUE(wait_until([&] { return other.command_raw({"PING"}) == kBusy; }, 20s));
  EXPECT_EQ(other.command_raw({"GET", "mark"}), kBusy);
  EXPECT_EQ(other.command_raw({"SCRIPT", "KILL"}).rfind("-UNKILLABLE ", 0), 0u);
  Reply reply = m.read_reply();
  ASSERT_EQ(reply.type, Reply::Array) << reply.str;
  ASSERT_EQ(reply.elements.size(), 2u);
  long long calls = reply.elements[0].integer;
  EXPECT_GT(calls, 0);
  EXPECT_EQ(reply.elements[1].integer, 10 + calls);
  EXPECT_EQ(other.command_raw({"GET", "mark"}), "$3\r\nend\r\n");
  EXPECT_EQ(other.get_string({"GET", "n"}), std::to_string(10 + calls));
  // Every effect reached the replica, in one MULTI/EXEC: the same digest, the same counter.
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.get_string({"GET", "n"}), std::to_string(10 + calls));
  // Short scripts after it run inline again.
  EXPECT_EQ(m.command_raw({"EVAL", "return redis.call('incr', KEYS[1])", "1", "n"}),
            ":" + std::to_string(11 + calls) + "\r\n");
}

TEST(ScriptingSlice, ReadOnlyScriptThatCalledBeforeTheSwitchIsKilled) {
  BasaltServer server({"--busy-reply-threshold", "100"});
  server.start();
  auto a = server.client();
  auto b = server.client();
  ASSERT_TRUE(b.command({"SET", "x", "1"}).is_status("OK"));
  a.send_command({"EVAL",
                  "local v = redis.call('get', 'x') local n = 0 "
                  "while true do n = n + 1 if n % 100000 == 0 then redis.call('get', 'x') end end",
                  "0"});
  ASSERT_TRUE(wait_until([&] { return b.command_raw({"PING"}) == kBusy; }, 20s));
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}), "+OK\r\n");
  std::string killed = a.read_reply_raw();
  EXPECT_EQ(killed.rfind("-ERR Script killed by user with SCRIPT KILL... script: ", 0), 0u)
      << killed;
  EXPECT_EQ(b.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(a.command_raw({"EVAL", "return redis.call('get', 'x')", "0"}), "$1\r\n1\r\n");
}

TEST(ScriptingSlice, ScriptPastTheSliceInsideExecRunsInline) {
  BasaltServer server;
  server.start();
  auto c = server.client();
  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  ASSERT_TRUE(c.command({"SET", "k", "1"}).is_status("QUEUED"));
  ASSERT_TRUE(c.command({"EVAL",
                         "local t0 = redis.call('time') repeat redis.call('incr', 'k') "
                         "local t = redis.call('time') "
                         "until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 50000 "
                         "return redis.call('get', 'k')",
                         "0"})
                  .is_status("QUEUED"));
  Reply reply = c.command({"EXEC"});
  ASSERT_EQ(reply.type, Reply::Array);
  ASSERT_EQ(reply.elements.size(), 2u);
  EXPECT_TRUE(reply.elements[0].is_status("OK"));
  ASSERT_EQ(reply.elements[1].type, Reply::Bulk) << reply.elements[1].str;
  EXPECT_GT(std::stoll(reply.elements[1].str), 1);
  EXPECT_EQ(c.get_string({"GET", "k"}), reply.elements[1].str);
}

Command eval(const std::string& body) {
  return {"EVAL", body, "0"};
}

TEST(ScriptingSlice, FlushInsideScriptsMatchesRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  const std::vector<Command> cases = {
      {"MSET", "a", "1", "b", "2"},
      {"SELECT", "1"},
      {"SET", "in1", "x"},
      {"SELECT", "0"},
      eval("redis.call('set','c','3') return redis.call('flushdb')"),
      {"DBSIZE"},
      {"SELECT", "1"},
      {"DBSIZE"},
      {"SELECT", "0"},
      eval("redis.call('set','d','4') redis.call('rpush','l','x','y') "
           "redis.call('flushall') redis.call('set','e','5') "
           "return {redis.call('dbsize'), redis.call('get','d'), redis.call('get','e'), "
           "redis.call('llen','l')}"),
      {"DBSIZE"},
      {"GET", "e"},
      {"SELECT", "1"},
      {"DBSIZE"},
      {"SELECT", "0"},
      eval("redis.call('select','1') redis.call('set','z','1') return "
           "redis.call('flushdb','async')"),
      eval("return redis.call('flushall','sync')"),
      eval("return redis.call('flushall','bogus')"),
      eval("return redis.pcall('flushdb','x','y')"),
      {"DBSIZE"},
      eval("#!lua flags=no-writes\nreturn redis.call('flushall')"),
      {"EVAL_RO", "return redis.call('flushdb')", "0"},
      {"SET", "t", "1"},
      {"MULTI"},
      {"SET", "u", "2"},
      eval("redis.call('flushdb') return redis.call('set','v','3')"),
      {"SET", "w", "4"},
      {"EXEC"},
      {"EXISTS", "t", "u", "v", "w"},
  };
  EXPECT_EQ(pair.same_all(cases), "");
}

TEST(ScriptingSlice, FlushInsideScriptReplicates) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"MSET", "a", "1", "b", "2"}).is_status("OK"));
  // Pipelined: the writes before and after land in the same write group as the script.
  m.send_command({"SET", "before", "1"});
  m.send_command({"EVAL",
                  "redis.call('set','c','3') redis.call('flushall') "
                  "return redis.call('set','after_flush','4')",
                  "0"});
  m.send_command({"SET", "later", "5"});
  EXPECT_EQ(m.read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(m.read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(m.read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(m.get_integer({"DBSIZE"}), 2);
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 2);
  EXPECT_EQ(r.command_raw({"GET", "after_flush"}), "$1\r\n4\r\n");
  EXPECT_EQ(r.command_raw({"GET", "later"}), "$1\r\n5\r\n");
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
