// tests/integration/heavy_reads_test.cpp — heavy reads (node/core/heavy_read.h): a read whose
// reply is a whole collection or a huge range, over heavy-command-threshold elements, runs off
// the event loop. While a client's pipeline of such reads runs, another client's PING and a
// write to another key are answered before the first heavy reply arrives (an order, not a
// timing: the connection writes a batch's replies once all of it ran); the replies equal
// redis-server's (byte for byte where Redis's order is defined, as sorted lists where it is
// not) and the loop path's byte for byte; pipelined commands keep their order; INFO
// heavy_reads counts them; a client that disconnects, or a SHUTDOWN, mid-read costs nothing;
// a replica's switch to a fully synced dataset waits for a running heavy read, and heavy reads
// that arrive during the switch wait for it to end, then run off the loop (none on it).
#include <gtest/gtest.h>

#include <algorithm>
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

constexpr size_t kMembers = 50000;  // per collection, with the threshold at 1000
constexpr int kHeavyPipeline = 30;  // heavy reads sent at once

// A hash `h`, a list `l`, a set `s` and a sorted set `z` of `n` members each.
void fill(RespClient& c, size_t n) {
  std::vector<Command> batch;
  for (size_t i = 0; i < n; i += 1000) {
    Command hset = {"HSET", "h"}, rpush = {"RPUSH", "l"}, sadd = {"SADD", "s"},
            zadd = {"ZADD", "z"};
    for (size_t k = i; k < std::min(n, i + 1000); ++k) {
      const std::string m = "member:" + std::to_string(k);
      hset.insert(hset.end(), {m, std::to_string(k)});
      rpush.push_back(m);
      sadd.push_back(m);
      zadd.insert(zadd.end(), {std::to_string(k), m});
    }
    for (auto* command : {&hset, &rpush, &sadd, &zadd}) batch.push_back(std::move(*command));
    if (batch.size() >= 40) {
      send_pipelined(c, batch);
      batch.clear();
    }
  }
  send_pipelined(c, batch);
}

long long heavy_reads(RespClient& c) {
  return info_int(c, "stats", "heavy_reads");
}

// Starts `server` with heavy-command-threshold at `threshold`.
void start_with_threshold(BasaltServer& server, const std::string& threshold) {
  server.start();
  RespClient c = server.client();
  ASSERT_TRUE(c.command({"CONFIG", "SET", "heavy-command-threshold", threshold}).is_status("OK"));
}

// Sends kHeavyPipeline copies of `command` at once on `heavy` and waits until the node runs
// the first as a heavy read (INFO, asked on `other`, answers meanwhile).
void start_heavy_pipeline(RespClient& heavy, RespClient& other, const Command& command) {
  long long before = heavy_reads(other);
  std::string bytes;
  for (int i = 0; i < kHeavyPipeline; ++i) bytes += encode_command(command);
  heavy.send_raw(bytes);
  ASSERT_TRUE(wait_until([&] { return heavy_reads(other) > before; }, 60s)) << command[0];
}

TEST(HeavyReads, PingAndAWriteAreAnsweredBeforeTheHeavyReplies) {
  BasaltServer server;
  start_with_threshold(server, "1000");
  RespClient heavy = server.client();
  heavy.set_timeout(120s);
  RespClient other = server.client();
  other.set_timeout(120s);
  fill(heavy, kMembers);
  const auto n = static_cast<long long>(kMembers);
  const std::vector<Command> reads = {{"HGETALL", "h"},
                                      {"LRANGE", "l", "0", "-1"},
                                      {"SMEMBERS", "s"},
                                      {"ZRANGE", "z", "0", "-1", "WITHSCORES"}};
  for (const auto& command : reads) {
    start_heavy_pipeline(heavy, other, command);
    // The loop is free: a PING and a write to another key are answered while the heavy
    // client has no reply yet (it gets its batch's replies once all of them ran).
    EXPECT_TRUE(other.command({"PING"}).is_status("PONG"));
    EXPECT_TRUE(other.command({"INCR", "counter"}).type == Reply::Integer);
    EXPECT_FALSE(reply_ready(heavy)) << command[0] << ": the heavy replies came first";
    for (int i = 0; i < kHeavyPipeline; ++i) {
      Reply r = heavy.read_reply();
      ASSERT_EQ(r.type, Reply::Array) << r.to_string();
      const auto pairs = command[0] == "HGETALL" || command[0] == "ZRANGE" ? 2 : 1;
      EXPECT_EQ(static_cast<long long>(r.elements.size()), n * pairs) << command[0];
    }
  }
  EXPECT_GE(heavy_reads(other), 4 * kHeavyPipeline);
  EXPECT_EQ(other.get_string({"GET", "counter"}), "4");
}

// The elements of a flat array reply, sorted (Redis's order for a set or hash is its own).
std::vector<std::string> sorted_elements(const std::string& raw) {
  Reply r = parse_reply(raw);
  std::vector<std::string> out;
  for (const auto& e : r.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

// HGETALL / HRANDFIELD WITHVALUES pairs, sorted by field.
std::vector<std::string> sorted_pairs(const std::string& raw) {
  Reply r = parse_reply(raw);
  std::vector<std::string> pairs;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    pairs.push_back(r.elements[i].str + '\0' + r.elements[i + 1].str);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

std::string judge_sorted(const std::string& ours, const std::string& theirs, bool pairs) {
  if (ours.empty() || theirs.empty() || ours[0] != theirs[0]) return "reply types differ";
  if (ours[0] != '*') return ours == theirs ? "" : "replies differ";
  bool same = pairs ? sorted_pairs(ours) == sorted_pairs(theirs)
                    : sorted_elements(ours) == sorted_elements(theirs);
  return same ? "" : "elements differ";
}

TEST(HeavyReads, RepliesEqualRedisServersAndTheLoopPaths) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair pair;
  SeededRandom random(11);
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
  Command hset = {"HSET", "h"}, rpush = {"RPUSH", "l"};
  for (int i = 0; i < 300; ++i) {
    hset.insert(hset.end(), {"f" + std::to_string(i), std::to_string(random.uniform(0, 99))});
    rpush.push_back("e" + std::to_string(random.uniform(0, 40)));
  }
  setup.push_back(hset);
  setup.push_back(rpush);
  setup.push_back({"SET", "str", "v"});
  setup.push_back({"SET", "gone", "v", "PX", "1"});
  EXPECT_EQ(pair.same_all(setup), "");
  // Let `gone` expire on both before the reads (KEYS must not list it).
  ASSERT_TRUE(wait_until([&] { return pair.ours().get_integer({"EXISTS", "gone"}) == 0; }));

  // Replies whose order Redis defines: byte for byte.
  const std::vector<Command> ordered = {
      {"LRANGE", "l", "0", "-1"},
      {"LRANGE", "l", "-250", "280"},
      {"LRANGE", "l", "x", "2"},
      {"LPOS", "l", "e7", "COUNT", "0"},
      {"LPOS", "l", "e7", "RANK", "-2", "MAXLEN", "200"},
      {"ZRANGE", "z1", "0", "-1", "WITHSCORES"},
      {"ZRANGE", "z1", "10", "-10"},
      {"ZRANGE", "z2", "+inf", "(-10", "BYSCORE", "REV", "LIMIT", "3", "40", "WITHSCORES"},
      {"ZRANGE", "z2", "[m1", "[m3", "BYLEX"},
      {"ZREVRANGE", "z3", "0", "-1", "WITHSCORES"},
      {"ZRANGEBYSCORE", "z1", "-inf", "+inf", "WITHSCORES"},
      {"ZREVRANGEBYSCORE", "z1", "20", "-20", "LIMIT", "5", "100"},
      {"ZRANGEBYLEX", "z2", "-", "+"},
      {"ZREVRANGEBYLEX", "z2", "+", "[m2"},
      {"ZUNION", "3", "z1", "z2", "s1", "WEIGHTS", "2", "0.5", "3", "WITHSCORES"},
      {"ZINTER", "2", "z1", "z2", "AGGREGATE", "MAX", "WITHSCORES"},
      {"ZDIFF", "2", "z1", "z3", "WITHSCORES"},
      {"ZINTERCARD", "2", "z1", "z2"},
      {"SINTERCARD", "3", "s1", "s2", "s3"},
      {"HGETALL", "l"},  // WRONGTYPE, from the heavy path
      {"SMEMBERS", "z1"},
      {"ZRANGE", "s1", "0", "-1"},
      {"ZUNION", "2", "z1", "str"},
  };
  // Replies whose order is Redis's own: the same elements (pairs for hashes).
  const std::vector<std::pair<Command, bool>> unordered = {
      {{"HGETALL", "h"}, true},
      {{"HKEYS", "h"}, false},
      {{"HVALS", "h"}, false},
      {{"SMEMBERS", "s1"}, false},
      {{"SINTER", "s1", "s2"}, false},
      {{"SUNION", "s1", "s2", "s3"}, false},
      {{"SDIFF", "s1", "s2", "s3"}, false},
      {{"KEYS", "*"}, false},
      {{"KEYS", "z*"}, false},
      {{"SRANDMEMBER", "s2", "100000"}, false},
      {{"HRANDFIELD", "h", "100000", "WITHVALUES"}, true},
      {{"ZRANDMEMBER", "z2", "100000"}, false},
  };

  // First through the loop (threshold 0), then as heavy reads (every input of 2 or more).
  std::vector<std::string> loop_replies;
  ASSERT_TRUE(
      pair.ours().command({"CONFIG", "SET", "heavy-command-threshold", "0"}).is_status("OK"));
  for (const auto& args : ordered) loop_replies.push_back(pair.ours().command_raw(args));
  for (const auto& [args, pairs] : unordered) loop_replies.push_back(pair.ours().command_raw(args));
  ASSERT_TRUE(
      pair.ours().command({"CONFIG", "SET", "heavy-command-threshold", "2"}).is_status("OK"));
  const long long before = heavy_reads(pair.ours());

  EXPECT_EQ(pair.same_all(ordered), "");
  for (const auto& [args, pairs] : unordered) {
    const bool as_pairs = pairs;
    EXPECT_EQ(pair.check(args,
                         [as_pairs](const std::string& ours, const std::string& theirs) {
                           return judge_sorted(ours, theirs, as_pairs);
                         }),
              "");
  }
  size_t k = 0;
  for (const auto& args : ordered)
    EXPECT_EQ(pair.ours().command_raw(args), loop_replies[k++]) << render_command(args);
  for (const auto& [args, pairs] : unordered) {
    std::string heavy = pair.ours().command_raw(args);
    if (args[0] == "SRANDMEMBER" || args[0] == "HRANDFIELD" || args[0] == "ZRANDMEMBER")
      EXPECT_EQ(judge_sorted(heavy, loop_replies[k++], pairs), "") << render_command(args);
    else
      EXPECT_EQ(heavy, loop_replies[k++]) << render_command(args);
  }
  // Counted: all but the WRONGTYPE / missing-key reads that fall under the threshold.
  EXPECT_GE(heavy_reads(pair.ours()) - before,
            static_cast<long long>(2 * (ordered.size() + unordered.size())) - 8);
  // Picks with repeats from a small collection are heavy by their count: as many as asked.
  Reply picks = pair.ours().command({"SRANDMEMBER", "s1", "-5000"});
  EXPECT_EQ(picks.elements.size(), 5000u);
}

TEST(HeavyReads, PipelinedCommandsKeepTheirOrder) {
  BasaltServer server;
  start_with_threshold(server, "1000");
  RespClient c = server.client();
  c.set_timeout(120s);
  fill(c, 5000);
  const long long before = heavy_reads(c);
  const std::vector<Command> commands = {
      {"SET", "a", "1"}, {"HGETALL", "h"},  {"GET", "a"}, {"LRANGE", "l", "0", "-1"},
      {"INCR", "a"},     {"SMEMBERS", "s"}, {"DEL", "s"}, {"SMEMBERS", "s"},
      {"MULTI"},         {"HKEYS", "h"},    {"EXEC"},     {"LRANGE", "l", "0", "2"},
      {"PING"},
  };
  std::string bytes;
  for (const auto& args : commands) bytes += encode_command(args);
  c.send_raw(bytes);
  std::vector<Reply> r;
  for (size_t i = 0; i < commands.size(); ++i) r.push_back(c.read_reply());
  EXPECT_TRUE(r[0].is_status("OK"));
  EXPECT_EQ(r[1].elements.size(), 10000u);
  EXPECT_TRUE(r[2].is_bulk("1"));
  ASSERT_EQ(r[3].elements.size(), 5000u);
  EXPECT_EQ(r[3].elements[4999].str, "member:4999");
  EXPECT_TRUE(r[4].is_integer(2));
  EXPECT_EQ(r[5].elements.size(), 5000u);
  EXPECT_TRUE(r[6].is_integer(1));
  EXPECT_EQ(r[7].type, Reply::Array);
  EXPECT_TRUE(r[7].elements.empty());
  EXPECT_TRUE(r[8].is_status("OK"));
  EXPECT_TRUE(r[9].is_status("QUEUED"));
  ASSERT_EQ(r[10].elements.size(), 1u);
  EXPECT_EQ(r[10].elements[0].elements.size(), 5000u);
  ASSERT_EQ(r[11].elements.size(), 3u);
  EXPECT_EQ(r[11].elements[0].str, "member:0");
  EXPECT_TRUE(r[12].is_status("PONG"));
  // HGETALL, LRANGE 0 -1 and the first SMEMBERS; not the one in MULTI, not the short range.
  EXPECT_EQ(heavy_reads(c) - before, 3);
}

TEST(HeavyReads, DisconnectAndShutdownMidReadCostNothing) {
  BasaltServer server;
  start_with_threshold(server, "1000");
  RespClient other = server.client();
  other.set_timeout(120s);
  {
    RespClient heavy = server.client();
    heavy.set_timeout(120s);
    fill(heavy, kMembers);
    start_heavy_pipeline(heavy, other, {"HGETALL", "h"});
    heavy.close();
  }
  EXPECT_TRUE(other.command({"PING"}).is_status("PONG"));
  // The disconnected client goes once its read ends; the node goes on serving.
  EXPECT_TRUE(
      wait_until([&] { return info_int(other, "clients", "connected_clients") == 1; }, 60s));
  EXPECT_EQ(other.get_integer({"HLEN", "h"}), static_cast<long long>(kMembers));

  RespClient heavy = server.client();
  heavy.set_timeout(120s);
  start_heavy_pipeline(heavy, other, {"LRANGE", "l", "0", "-1"});
  EXPECT_EQ(server.shutdown({"SHUTDOWN", "NOSAVE"}, 60s), 0);
  server.start();
  RespClient after = server.client();
  EXPECT_EQ(after.get_integer({"LLEN", "l"}), static_cast<long long>(kMembers));
}

// A replica's switch to a fully synced dataset (it destroys the column families the old
// dataset lives in) while a client's heavy reads run there: the switch waits for the running
// read, the replies are whole, and the replica ends with its master's data.
TEST(HeavyReads, AFullSyncSwitchWhileHeavyReadsRunOnAReplica) {
  MasterAndReplica pair;
  RespClient master = pair.master.client();
  master.set_timeout(120s);
  RespClient replica = pair.replica.client();
  replica.set_timeout(120s);
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
  fill(master, kMembers);
  ASSERT_TRUE(wait_for_same_offset(master, replica, 240s));
  ASSERT_TRUE(
      replica.command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  // Diverge: a write of its own puts the replica ahead of the master's history, so the next
  // sync is a full one.
  ASSERT_TRUE(replica.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  ASSERT_TRUE(replica.command({"SET", "diverged", "1"}).is_status("OK"));
  const long long full_before = info_int(master, "stats", "sync_full");
  RespClient heavy = pair.replica.client();
  heavy.set_timeout(120s);
  start_heavy_pipeline(heavy, replica, {"HGETALL", "h"});
  ASSERT_TRUE(replica.command({"REPLICAOF", "127.0.0.1", std::to_string(pair.master.port())})
                  .is_status("OK"));
  for (int i = 0; i < kHeavyPipeline; ++i) {
    Reply r = heavy.read_reply();
    ASSERT_EQ(r.type, Reply::Array) << r.to_string();
    EXPECT_EQ(r.elements.size(), 2 * kMembers);
  }
  ASSERT_TRUE(wait_for_master_link(replica, 120s));
  EXPECT_GT(info_int(master, "stats", "sync_full"), full_before);
  ASSERT_TRUE(wait_for_same_offset(master, replica, 240s));
  EXPECT_EQ(replica.get_integer({"EXISTS", "diverged"}), 0);
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), master.get_string({"DEBUG", "DIGEST"}));
  // Heavy reads run off the loop again once the switch is done.
  const long long before = heavy_reads(replica);
  EXPECT_EQ(heavy.command({"HLEN", "h"}).integer, static_cast<long long>(kMembers));
  EXPECT_EQ(heavy.command({"HGETALL", "h"}).elements.size(), 2 * kMembers);
  EXPECT_EQ(heavy_reads(replica), before + 1);
}

// Heavy reads that arrive while a replica switches to a fully synced dataset wait for the
// switch to end and then run off the loop (not on it, as they did): two clients keep pipelines
// of heavy reads going on the replica until its full sync is done, so the switch meets reads
// in flight; every one of them counts as a heavy read, and every reply is whole.
TEST(HeavyReads, ReadsDuringAFullSyncSwitchWaitForItAndRunOffTheLoop) {
  MasterAndReplica pair;
  RespClient master = pair.master.client();
  master.set_timeout(120s);
  RespClient replica = pair.replica.client();
  replica.set_timeout(120s);
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
  fill(master, kMembers);
  ASSERT_TRUE(wait_for_same_offset(master, replica, 240s));
  ASSERT_TRUE(
      replica.command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  // A write of its own puts the replica ahead of the master's history: the next sync is full.
  ASSERT_TRUE(replica.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  ASSERT_TRUE(replica.command({"SET", "diverged", "1"}).is_status("OK"));
  const long long full_before = info_int(master, "stats", "sync_full");
  const long long reads_before = heavy_reads(replica);
  constexpr int kDepth = 4;  // heavy reads each client keeps in flight
  const Command read = {"HGETALL", "h"};
  std::vector<RespClient> heavy;
  for (int k = 0; k < 2; ++k) {
    heavy.push_back(pair.replica.client());
    heavy.back().set_timeout(120s);
    std::string bytes;
    for (int i = 0; i < kDepth; ++i) bytes += encode_command(read);
    heavy.back().send_raw(bytes);
  }
  long long sent = 2 * kDepth;
  ASSERT_TRUE(wait_until([&] { return heavy_reads(replica) > reads_before; }, 60s));
  ASSERT_TRUE(replica.command({"REPLICAOF", "127.0.0.1", std::to_string(pair.master.port())})
                  .is_status("OK"));
  auto synced = [&] {
    return info_int(master, "stats", "sync_full") > full_before &&
           info_field(replica, "replication", "master_link_status") == "up";
  };
  // Each reply read is replaced by a new read until the sync is done (bounded by the wait).
  bool done = false;
  const auto deadline = std::chrono::steady_clock::now() + 240s;
  std::vector<int> in_flight(2, kDepth);
  while (in_flight[0] + in_flight[1] > 0) {
    for (size_t k = 0; k < heavy.size(); ++k) {
      if (in_flight[k] == 0) continue;
      Reply r = heavy[k].read_reply();
      ASSERT_EQ(r.type, Reply::Array) << r.to_string();
      ASSERT_EQ(r.elements.size(), 2 * kMembers);
      --in_flight[k];
      if (!done) done = synced() || std::chrono::steady_clock::now() > deadline;
      if (!done) {
        heavy[k].send_command(read);
        ++in_flight[k];
        ++sent;
      }
    }
  }
  ASSERT_TRUE(done && synced()) << "the full sync did not end";
  // None ran on the loop: each one is a heavy read.
  EXPECT_EQ(heavy_reads(replica) - reads_before, sent);
  ASSERT_TRUE(wait_for_same_offset(master, replica, 240s));
  EXPECT_EQ(replica.get_integer({"EXISTS", "diverged"}), 0);
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), master.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
