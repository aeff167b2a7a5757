// tests/integration/functions_test.cpp — FUNCTION / FCALL on real basalt processes: libraries
// survive a restart, a kill -9 and FLUSHALL (they live in the store, written with the log bytes
// of the command that changed them); a replica gets them in a full sync and, after a partial
// resync, the FUNCTION commands it missed; FCALL's writes replicate as their effects (FCALL
// itself never); FCALL_RO runs on a replica, writing functions are refused there; the
// no-writes flag is enforced; DUMP / RESTORE round-trip and refuse garbage; a busy function
// answers -BUSY naming FUNCTION KILL, which ends it (SCRIPT KILL answers that -BUSY); a
// replica that cannot load a library from its master's stream says so (log line, INFO
// unexpected_error_replies) and keeps applying the stream.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

const std::string kLib1 =
    "#!lua name=lib1\n"
    "redis.register_function('setit', function(keys, args) return redis.call('set', keys[1], "
    "args[1]) end)\n"
    "redis.register_function{function_name='getit', callback=function(keys) return "
    "redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\n";
const std::string kLib2 =
    "#!lua name=lib2\n"
    "redis.register_function('two', function() return 2 end)\n";

std::string list(RespClient& c) {
  return c.command_raw({"FUNCTION", "LIST", "WITHCODE"});
}

TEST(Functions, LibrariesSurviveRestartKill9AndFlushall) {
  BasaltServer server;
  server.start();
  {
    auto c = server.client();
    EXPECT_EQ(c.command_raw({"FUNCTION", "LOAD", kLib1}), "$4\r\nlib1\r\n");
    EXPECT_EQ(c.command_raw({"FUNCTION", "LOAD", kLib2}), "$4\r\nlib2\r\n");
    EXPECT_EQ(c.command_raw({"FCALL", "setit", "1", "k", "v"}), "+OK\r\n");
    EXPECT_EQ(c.command_raw({"FLUSHALL"}), "+OK\r\n");  // keys go, functions stay (as Redis)
    EXPECT_EQ(c.command_raw({"DBSIZE"}), ":0\r\n");
    EXPECT_EQ(c.command_raw({"FCALL", "two", "0"}), ":2\r\n");
  }
  std::string before;
  {
    auto c = server.client();
    before = list(c);
  }
  server.shutdown();
  server.start();
  {
    auto c = server.client();
    EXPECT_EQ(list(c), before);
    EXPECT_EQ(c.command_raw({"FCALL", "setit", "1", "k", "v2"}), "+OK\r\n");
    EXPECT_EQ(c.command_raw({"FCALL_RO", "getit", "1", "k"}), "$2\r\nv2\r\n");
    EXPECT_EQ(c.command_raw({"FUNCTION", "DELETE", "lib2"}), "+OK\r\n");
    EXPECT_EQ(c.command_raw({"FUNCTION", "LOAD", "REPLACE", kLib1}), "$4\r\nlib1\r\n");
    before = list(c);
  }
  server.kill9();
  server.start();
  {
    auto c = server.client();
    EXPECT_EQ(list(c), before);
    EXPECT_EQ(c.command_raw({"FCALL", "two", "0"}), "-ERR Function not found\r\n");
    EXPECT_EQ(c.command_raw({"FUNCTION", "FLUSH"}), "+OK\r\n");
  }
  server.kill9();
  server.start();
  auto c = server.client();
  EXPECT_EQ(c.command_raw({"FUNCTION", "LIST"}), "*0\r\n");
}

TEST(Functions, ReplicaGetsLibrariesInFullSyncAndAfterPartialResync) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  ASSERT_EQ(m.command_raw({"FUNCTION", "LOAD", kLib1}), "$4\r\nlib1\r\n");
  ASSERT_EQ(m.command_raw({"FCALL", "setit", "1", "k", "v"}), "+OK\r\n");

  BasaltServer replica(replicaof_args(master));
  replica.start();
  {
    auto r = replica.client();
    ASSERT_TRUE(wait_for_master_link(r, 30s));
    ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
    EXPECT_EQ(list(r), list(m));  // came with the full sync's snapshot
    EXPECT_EQ(r.command_raw({"FCALL_RO", "getit", "1", "k"}), "$1\r\nv\r\n");
    EXPECT_EQ(r.command_raw({"FCALL", "setit", "1", "k", "x"}).rfind("-READONLY", 0), 0u);
    EXPECT_EQ(r.command_raw({"FUNCTION", "LOAD", kLib2}).rfind("-READONLY", 0), 0u);
    EXPECT_EQ(r.command_raw({"FUNCTION", "FLUSH"}).rfind("-READONLY", 0), 0u);
  }
  long long full = info_int(m, "stats", "sync_full");
  long long partial = info_int(m, "stats", "sync_partial_ok");
  replica.shutdown();
  ASSERT_EQ(m.command_raw({"FUNCTION", "LOAD", kLib2}), "$4\r\nlib2\r\n");
  ASSERT_EQ(m.command_raw({"FUNCTION", "DELETE", "lib1"}), "+OK\r\n");
  replica.start();
  {
    auto r = replica.client();
    ASSERT_TRUE(wait_for_master_link(r, 30s));
    ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
    EXPECT_EQ(list(r), list(m));
    EXPECT_EQ(r.command_raw({"FCALL_RO", "getit", "1", "k"}), "-ERR Function not found\r\n");
  }
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), partial + 1);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full);

  // RESTORE and FLUSH replicate too; the replica keeps what it got across a kill -9.
  std::string dump = m.get_string({"FUNCTION", "DUMP"});
  ASSERT_EQ(m.command_raw({"FUNCTION", "FLUSH"}), "+OK\r\n");
  ASSERT_EQ(m.command_raw({"FUNCTION", "RESTORE", dump}), "+OK\r\n");
  {
    auto r = replica.client();
    ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  }
  replica.kill9();
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  EXPECT_EQ(list(r), list(m));
  EXPECT_EQ(r.command_raw({"FCALL_RO", "two", "0"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The replica already has a library of that name (loaded while it was writable), so the
// master's FUNCTION LOAD fails there. Not silent: the replica logs it, counts it (INFO
// unexpected_error_replies, master_stream_apply_failures) and stops applying the stream there
// until the cause is gone; then it catches up from that command.
TEST(Functions, ReplicaReportsALibraryItCannotLoadFromTheStream) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  BasaltServer replica(replicaof_args(master, {"--replica-read-only", "no"}));
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  ASSERT_EQ(info_int(r, "stats", "unexpected_error_replies"), 0);
  const std::string kOther =
      "#!lua name=lib2\nredis.register_function('other', function() return 3 end)\n";
  ASSERT_EQ(r.command_raw({"FUNCTION", "LOAD", kOther}), "$4\r\nlib2\r\n");
  ASSERT_EQ(m.command_raw({"FUNCTION", "LOAD", kLib2}), "$4\r\nlib2\r\n");
  ASSERT_EQ(m.command_raw({"SET", "after", "1"}), "+OK\r\n");
  ASSERT_TRUE(wait_until(
      [&] { return info_int(r, "replication", "master_stream_apply_failures") > 0; }, 30s));
  EXPECT_GE(info_int(r, "stats", "unexpected_error_replies"), 1);
  EXPECT_NE(read_file(replica.log_path())
                .find("replication stream stopped: the master's command 'FUNCTION' failed on this "
                      "replica: ERR Library 'lib2' already exists"),
            std::string::npos);
  EXPECT_EQ(r.command_raw({"GET", "after"}), "$-1\r\n");  // stopped before it
  // The cause gone, the stream resumes at the command that failed.
  ASSERT_EQ(r.command_raw({"FUNCTION", "DELETE", "lib2"}), "+OK\r\n");
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.command_raw({"FCALL", "two", "0"}), ":2\r\n");
  EXPECT_EQ(r.command_raw({"GET", "after"}), "$1\r\n1\r\n");
  EXPECT_EQ(info_int(m, "stats", "unexpected_error_replies"), 0);
  EXPECT_EQ(info_int(r, "memory", "number_of_libraries"), 1);
  EXPECT_EQ(info_int(r, "memory", "number_of_functions"), 1);
  EXPECT_EQ(info_int(r, "memory", "function_libraries_failed_to_load"), 0);
}

TEST(Functions, WritesReplicateAsEffectsAndNoWritesIsEnforced) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"SET", "warm", "1"}).is_status("OK"));
  ASSERT_TRUE(m.command({"CONFIG", "SET", "repl-ping-replica-period", "3600"}).is_status("OK"));
  ASSERT_EQ(m.command_raw({"FUNCTION", "LOAD",
                           "#!lua name=w\n"
                           "redis.register_function('two_writes', function(keys) "
                           "redis.call('set', keys[1], '1') return redis.call('incr', keys[2]) "
                           "end)\n"
                           "redis.register_function{function_name='sneaky', callback=function() "
                           "return redis.call('set', 'x', '1') end, flags={'no-writes'}}\n"}),
            "$1\r\nw\r\n");
  long long before = info_int(m, "replication", "master_repl_offset");
  EXPECT_EQ(m.command_raw({"FCALL", "two_writes", "2", "a", "b"}), ":1\r\n");
  std::string expected = encode_command({"MULTI"}) + encode_command({"set", "a", "1"}) +
                         encode_command({"incr", "b"}) + encode_command({"EXEC"});
  EXPECT_EQ(info_int(m, "replication", "master_repl_offset") - before,
            static_cast<long long>(expected.size()));

  std::string sneaky = m.command_raw({"FCALL", "sneaky", "0"});
  EXPECT_EQ(sneaky.rfind("-ERR Write commands are not allowed from read-only scripts.", 0), 0u)
      << sneaky;
  EXPECT_EQ(m.command_raw({"EXISTS", "x"}), ":0\r\n");
  EXPECT_EQ(m.command_raw({"FCALL_RO", "two_writes", "2", "a", "b"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");

  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.command_raw({"GET", "b"}), "$1\r\n1\r\n");
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST(Functions, DumpRestoreRoundTripAndRefuseGarbage) {
  BasaltServer server;
  server.start();
  auto c = server.client();
  ASSERT_EQ(c.command_raw({"FUNCTION", "LOAD", kLib1}), "$4\r\nlib1\r\n");
  ASSERT_EQ(c.command_raw({"FUNCTION", "LOAD", kLib2}), "$4\r\nlib2\r\n");
  std::string before = list(c);
  std::string dump = c.get_string({"FUNCTION", "DUMP"});
  const std::string wrong = "-ERR DUMP payload version or checksum are wrong\r\n";
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", "garbage"}), wrong);
  std::string flipped = dump;
  flipped[10] ^= 1;
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", flipped}), wrong);
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", dump.substr(0, dump.size() - 1)}), wrong);
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", dump}),
            "-ERR Library lib1 already exists\r\n");  // APPEND (the default) refuses a clash
  EXPECT_EQ(list(c), before);
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", dump, "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(list(c), before);
  EXPECT_EQ(c.command_raw({"FUNCTION", "FLUSH", "ASYNC"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", dump}), "+OK\r\n");
  EXPECT_EQ(list(c), before);
  ASSERT_EQ(c.command_raw({"FUNCTION", "DELETE", "lib2"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"FUNCTION", "RESTORE", dump, "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(list(c), before);
  EXPECT_EQ(c.command_raw({"FCALL", "two", "0"}), ":2\r\n");
}

TEST(Functions, BusyFunctionNamesFunctionKillWhichEndsIt) {
  BasaltServer server({"--busy-reply-threshold", "200"});
  server.start();
  auto a = server.client();
  auto b = server.client();
  ASSERT_EQ(a.command_raw({"FUNCTION", "LOAD",
                           "#!lua name=busy\n"
                           "redis.register_function('spin', function() while true do end end)\n"}),
            "$4\r\nbusy\r\n");
  EXPECT_EQ(b.command_raw({"FUNCTION", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  a.send_command({"FCALL", "spin", "0"});
  const std::string busy =
      "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
      "NOSAVE.\r\n";
  ASSERT_TRUE(wait_until([&] { return b.command_raw({"PING"}) == busy; }, 20s));
  EXPECT_EQ(b.command_raw({"SCRIPT", "KILL"}), busy);  // a function is FUNCTION KILL's
  std::string stats = b.command_raw({"FUNCTION", "STATS"});
  EXPECT_NE(stats.find("$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n"), std::string::npos)
      << stats;
  EXPECT_EQ(b.command_raw({"FUNCTION", "KILL"}), "+OK\r\n");
  std::string killed = a.read_reply_raw();
  EXPECT_EQ(killed.rfind("-ERR Script killed by user with SCRIPT KILL... script: spin", 0), 0u)
      << killed;
  EXPECT_EQ(b.command_raw({"PING"}), "+PONG\r\n");
}

}  // namespace
}  // namespace basalt::test
