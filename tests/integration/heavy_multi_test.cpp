// tests/integration/heavy_multi_test.cpp — EXEC as a heavy job (node/core/heavy_exec.h): a
// transaction whose queued commands include a heavy one runs all of them off the event loop
// as one job. While it runs, another client's PING is answered before the EXEC reply arrives
// (an order, not a timing) and the whole EXEC counts as one heavy job; replies and data equal
// redis-server's (differential, with heavy-command-threshold 1000 and a few thousand members);
// a replica ends with the master's DEBUG DIGEST; a WATCHed key that changed (or expired) makes
// EXEC answer nil and write nothing; a queued SELECT runs in the job (the db travels with the
// job's client); a transaction the job cannot carry (PUBLISH) runs on the loop as before; and
// a kill -9 in the middle of the job leaves all of it or none.
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

// The commands that build a sorted set `z` (member:i scored i) and a set `s` (member:i), `n`
// members each, and a hash `h` of n / 2 fields.
std::vector<Command> fill_commands(size_t n) {
  std::vector<Command> out;
  for (size_t i = 0; i < n; i += 1000) {
    Command zadd = {"ZADD", "z"}, sadd = {"SADD", "s"}, hset = {"HSET", "h"};
    for (size_t k = i; k < std::min(n, i + 1000); ++k) {
      const std::string m = std::to_string(k);
      zadd.insert(zadd.end(), {m, "member:" + m});
      sadd.push_back("member:" + m);
      if (k % 2 == 0) hset.insert(hset.end(), {"f" + m, m});
    }
    out.push_back(std::move(zadd));
    out.push_back(std::move(sadd));
    out.push_back(std::move(hset));
  }
  return out;
}

void fill(RespClient& c, size_t n) {
  auto commands = fill_commands(n);
  for (size_t i = 0; i < commands.size(); i += 30) {
    std::vector<Command> part(
        commands.begin() + static_cast<long>(i),
        commands.begin() + static_cast<long>(std::min(commands.size(), i + 30)));
    send_pipelined(c, part);
  }
}

// MULTI, then `queued` (each answered QUEUED); EXEC is left to the caller.
void open_transaction(RespClient& c, const std::vector<Command>& queued) {
  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  for (const auto& args : queued) {
    Reply r = c.command(args);
    ASSERT_TRUE(r.is_status("QUEUED")) << render_command(args) << ": " << r.to_string();
  }
}

// The server's clock (TIME), in milliseconds.
long long server_ms(RespClient& c) {
  auto t = c.get_strings({"TIME"});
  return std::stoll(t.at(0)) * 1000 + std::stoll(t.at(1)) / 1000;
}

long long heavy_jobs(RespClient& c) {
  return info_int(c, "stats", "heavy_jobs");
}

// The transaction of the task: two heavy stores around a small write.
const std::vector<Command> kTransaction = {
    {"SUNIONSTORE", "su", "s", "s"}, {"SET", "x", "1"}, {"ZUNIONSTORE", "zu", "2", "z", "s"}};

TEST(HeavyMulti, PingIsAnsweredBeforeTheExecReplyAndTheReplicaAgrees) {
  MasterAndReplica pair;
  RespClient c = pair.master.client();
  c.set_timeout(120s);
  RespClient other = pair.master.client();
  other.set_timeout(120s);
  RespClient replica = pair.replica.client();
  replica.set_timeout(120s);
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
  ASSERT_TRUE(c.command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  // Big enough that the job outlasts an INFO and a PING on 2 shared cores.
  constexpr long long kMembers = 100000;
  fill(c, kMembers);

  open_transaction(c, kTransaction);
  long long before = heavy_jobs(other);
  Reply exec;
  EXPECT_TRUE(ping_answered_during(c, other, {"EXEC"}, exec));
  ASSERT_EQ(exec.type, Reply::Array) << exec.to_string();
  ASSERT_EQ(exec.elements.size(), 3u) << exec.to_string();
  EXPECT_TRUE(exec.elements[0].is_integer(kMembers)) << exec.to_string();
  EXPECT_TRUE(exec.elements[1].is_status("OK")) << exec.to_string();
  EXPECT_TRUE(exec.elements[2].is_integer(kMembers)) << exec.to_string();
  // The whole transaction was one job.
  EXPECT_EQ(heavy_jobs(other), before + 1);
  EXPECT_EQ(c.get_string({"ZSCORE", "zu", "member:41"}), "42");
  EXPECT_EQ(c.get_integer({"DBSIZE"}), 6);

  ASSERT_TRUE(wait_for_same_offset(c, replica, 240s))
      << "master " << info_int(c, "replication", "master_repl_offset") << ", replica "
      << info_int(replica, "replication", "master_repl_offset");
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), c.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(replica.get_string({"GET", "x"}), "1");
  EXPECT_EQ(replica.get_integer({"ZCARD", "zu"}), kMembers);
}

// A transaction whose heavy command is a read (a whole-collection reply, heavy_read.h) runs
// off the loop the same way: MULTI; HGETALL of 50,000 fields; EXEC.
TEST(HeavyMulti, AHeavyReadInATransactionRunsOffTheLoopToo) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  c.set_timeout(120s);
  RespClient other = server.client();
  other.set_timeout(120s);
  ASSERT_TRUE(c.command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  constexpr long long kMembers = 100000;
  fill(c, kMembers);

  open_transaction(c, {{"HGETALL", "h"}, {"SET", "y", "1"}});
  long long before = heavy_jobs(other);
  Reply exec;
  EXPECT_TRUE(ping_answered_during(c, other, {"EXEC"}, exec));
  ASSERT_EQ(exec.type, Reply::Array);
  ASSERT_EQ(exec.elements.size(), 2u);
  ASSERT_EQ(exec.elements[0].type, Reply::Array);
  EXPECT_EQ(exec.elements[0].elements.size(), static_cast<size_t>(kMembers));  // field, value
  EXPECT_TRUE(exec.elements[1].is_status("OK"));
  EXPECT_EQ(heavy_jobs(other), before + 1);
  EXPECT_EQ(c.get_string({"GET", "y"}), "1");
  // A small read keeps the transaction on the loop.
  open_transaction(c, {{"HGET", "h", "f2"}, {"SET", "y", "2"}});
  Reply small = c.command({"EXEC"});
  ASSERT_EQ(small.type, Reply::Array) << small.to_string();
  EXPECT_EQ(heavy_jobs(other), before + 1);
}

TEST(HeavyMulti, ExecRepliesAndDataEqualRedisServers) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair pair;
  ASSERT_TRUE(
      pair.ours().command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  auto setup = fill_commands(3000);
  setup.push_back({"SET", "str", "v"});
  setup.push_back({"RPUSH", "list", "a", "b", "c"});
  setup.push_back({"ZADD", "small", "1", "a", "2", "b"});
  ASSERT_EQ(pair.same_all(setup), "");

  // Each transaction: MULTI, its commands (QUEUED), EXEC; replies compared byte for byte.
  auto transaction = [&](const std::vector<Command>& queued) {
    std::vector<Command> all = {{"MULTI"}};
    all.insert(all.end(), queued.begin(), queued.end());
    all.push_back({"EXEC"});
    return pair.same_all(all);
  };
  long long before = heavy_jobs(pair.ours());
  EXPECT_EQ(transaction(kTransaction), "");
  // Reads and writes of every kind around heavy ones, runtime errors included (WRONGTYPE, a
  // bad weight), TTLs, another db, lists (LMOVE), and keys the transaction itself created.
  EXPECT_EQ(transaction({{"ZINTERSTORE", "zi", "2", "z", "s", "WEIGHTS", "2", "3"},
                         {"ZCARD", "zi"},
                         {"INCR", "str"},
                         {"ZUNIONSTORE", "bad", "2", "z", "s", "WEIGHTS", "x", "1"},
                         {"ZRANGE", "zi", "0", "4", "WITHSCORES"},
                         {"SDIFFSTORE", "sd", "s", "su"},
                         {"COPY", "z", "zc"},
                         {"RENAME", "zc", "zr"},
                         {"EXPIRE", "zr", "1000"},
                         {"COPY", "h", "hc", "DB", "2"},
                         {"MOVE", "zi", "3"},
                         {"LMOVE", "list", "list2", "LEFT", "RIGHT"},
                         {"SPOP", "s", "0"},
                         {"HLEN", "h"},
                         {"ZRANGESTORE", "zs", "zr", "100", "120"},
                         {"GET", "x"},
                         {"DEL", "su"},
                         {"EXISTS", "su", "zu", "zr"}}),
            "");
  EXPECT_EQ(heavy_jobs(pair.ours()), before + 2);
  // A queued SELECT travels with the job (its client's db): commands after it run in the new
  // db, and the client stays there after EXEC (the GET outside the transaction reads db 1).
  EXPECT_EQ(transaction({{"ZUNIONSTORE", "zsel", "1", "z"},
                         {"SELECT", "1"},
                         {"SET", "sel", "1"},
                         {"ZUNIONSTORE", "zu1", "1", "zsel"}}),
            "");
  EXPECT_EQ(pair.same_all({{"GET", "sel"}, {"SELECT", "0"}, {"GET", "sel"}}), "");
  EXPECT_EQ(heavy_jobs(pair.ours()), before + 3);
  // Heavy is judged in the db each command runs in: z is empty in db 1, so this one is not.
  EXPECT_EQ(transaction({{"SELECT", "1"}, {"ZUNIONSTORE", "zu1", "1", "z"}, {"SELECT", "0"}}), "");
  // A transaction the job cannot carry (PUBLISH reaches subscribers) runs on the loop, with
  // the same replies.
  EXPECT_EQ(transaction({{"PUBLISH", "ch", "m"}, {"ZUNIONSTORE", "zu2", "1", "z"}}), "");
  EXPECT_EQ(heavy_jobs(pair.ours()), before + 3);

  std::vector<Command> reads;
  for (const std::string key : {"z", "zu", "zr", "zs", "small", "zu2"})
    reads.push_back({"ZRANGE", key, "0", "-1", "WITHSCORES"});
  for (const std::string key : {"s", "sd"}) reads.push_back({"SCARD", key});
  reads.push_back({"LRANGE", "list2", "0", "-1"});
  reads.push_back({"GET", "str"});
  reads.push_back({"PERSIST", "zr"});
  reads.push_back({"DBSIZE"});
  for (const std::string db : {"1", "2", "3"}) {
    reads.push_back({"SELECT", db});
    reads.push_back({"DBSIZE"});
    reads.push_back({"HLEN", "hc"});
    reads.push_back({"ZRANGE", "zi", "0", "-1", "WITHSCORES"});
    reads.push_back({"ZCARD", "zu1"});
  }
  reads.push_back({"SELECT", "0"});
  EXPECT_EQ(pair.same_all(reads), "");
}

TEST(HeavyMulti, ExecAfterAWatchedKeyChangedReturnsNilAndWritesNothing) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  c.set_timeout(60s);
  RespClient other = server.client();
  ASSERT_TRUE(c.command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  fill(c, 3000);
  const long long keys = c.get_integer({"DBSIZE"});
  const long long before = heavy_jobs(c);

  // Changed by another client between WATCH and EXEC.
  ASSERT_TRUE(c.command({"WATCH", "w"}).is_status("OK"));
  ASSERT_TRUE(other.command({"SET", "w", "1"}).is_status("OK"));
  open_transaction(c, kTransaction);
  EXPECT_TRUE(c.command({"EXEC"}).is_nil());
  EXPECT_EQ(c.get_integer({"EXISTS", "su", "x", "zu"}), 0);
  EXPECT_EQ(c.get_integer({"DBSIZE"}), keys + 1);  // + w

  // Expired since WATCH (nothing deleted it yet: the expiry cycle is off and nobody read it).
  ASSERT_TRUE(c.command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}).is_status("OK"));
  const long long set_at = server_ms(c);
  ASSERT_TRUE(c.command({"SET", "w", "1", "PX", "100"}).is_status("OK"));
  ASSERT_TRUE(c.command({"WATCH", "w"}).is_status("OK"));
  open_transaction(c, kTransaction);
  // The server's clock, not a sleep: until w's time has passed.
  ASSERT_TRUE(wait_until([&] { return server_ms(other) > set_at + 200; }, 10s));
  EXPECT_TRUE(c.command({"EXEC"}).is_nil());
  EXPECT_EQ(c.get_integer({"EXISTS", "su", "x", "zu"}), 0);
  EXPECT_EQ(heavy_jobs(c), before);

  // Unchanged: the transaction runs, as one heavy job.
  ASSERT_TRUE(c.command({"WATCH", "s"}).is_status("OK"));
  open_transaction(c, kTransaction);
  Reply exec = c.command({"EXEC"});
  ASSERT_EQ(exec.type, Reply::Array) << exec.to_string();
  EXPECT_TRUE(exec.elements.at(0).is_integer(3000)) << exec.to_string();
  EXPECT_EQ(c.get_integer({"EXISTS", "su", "x", "zu"}), 3);
  EXPECT_EQ(heavy_jobs(c), before + 1);
}

TEST(HeavyMulti, AKill9InTheMiddleLeavesAllOrNothing) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  c.set_timeout(120s);
  RespClient other = server.client();
  constexpr long long kMembers = 100000;
  fill(c, kMembers);
  open_transaction(c, kTransaction);
  c.send_command({"EXEC"});
  ASSERT_TRUE(wait_until([&] { return heavy_jobs(other) >= 1; }, 60s));
  server.kill9();
  server.restart();
  RespClient after = server.client(30s);
  after.set_timeout(60s);
  long long present = after.get_integer({"EXISTS", "su", "x", "zu"});
  EXPECT_TRUE(present == 0 || present == 3) << present;
  EXPECT_EQ(after.get_integer({"DBSIZE"}), 3 + present);
  if (present == 3) {
    EXPECT_EQ(after.get_integer({"ZCARD", "zu"}), kMembers);
    EXPECT_EQ(after.get_integer({"SCARD", "su"}), kMembers);
  }
  EXPECT_EQ(after.get_integer({"ZCARD", "z"}), kMembers);
}

}  // namespace
}  // namespace basalt::test
