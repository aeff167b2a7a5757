// tests/integration/redis_suite_regressions_test.cpp — the wrong answers the official Redis
// 7.0 Tcl suite (scripts/redis-suite.sh) found, each replayed as the suite sends it to a real
// basalt and to Debian's redis-server (started with --enable-debug-command yes), replies
// compared byte for byte:
//   - keyspace "COPY basic usage for list": DEBUG DIGEST-VALUE of a copy equals its source's;
//   - keyspace "DEL against expired key" then "DEL all keys again": with the active expiry
//     cycle off, a DEL that meets an expired key still deletes it, so DBSIZE (the persisted
//     per-db key count) ends at 0, also after a crash;
//   - expire "Redis should lazy expire keys": reads delete expired keys with the cycle off;
//   - multi "FLUSHDB while watching stale keys should not fail EXEC";
//   - multi "EXEC fails if there are errors while queueing commands #2" and the other
//     maxmemory transaction tests: over maxmemory, deny-oom commands are refused (OOM) and a
//     transaction that queued one is discarded; so is one with writes when there are no
//     longer enough good replicas (NOREPLICAS, "exec with write commands and state change");
//   - the type units' CONFIG SET of the encoding directives (and their *-ziplist-* names),
//     and OBJECT ENCODING for small / large / integer collections under those thresholds
//     (the config file side is in tests/unit/config_test.cpp);
//   - hash.tcl's MEMORY USAGE (replies' shapes and errors).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// basalt and a redis-server that accepts DEBUG, one client each.
class SuiteRegressions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
    basalt_.start();
    redis_.start();
    ours_.emplace(basalt_.client());
    theirs_.emplace(redis_.client());
  }

  // Sends args to both; "" if the raw replies are equal, else both replies.
  std::string same(const Command& args) {
    std::string a = ours_->command_raw(args), b = theirs_->command_raw(args);
    if (a == b) return "";
    return render_command(args) + ": " + describe_mismatch("replies differ", a, b);
  }
  // same() on every command; all mismatches.
  std::string same_all(const std::vector<Command>& commands) {
    std::string out;
    for (const auto& c : commands) {
      std::string m = same(c);
      if (!m.empty()) out += m + "\n";
    }
    return out;
  }
  // The replies of a CONFIG GET as sorted (name, value) pairs (Redis lists them in hash order).
  static std::vector<std::pair<std::string, std::string>> config_pairs(RespClient& c,
                                                                       const std::string& glob) {
    std::vector<std::string> flat = c.get_strings({"CONFIG", "GET", glob});
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) pairs.emplace_back(flat[i], flat[i + 1]);
    std::sort(pairs.begin(), pairs.end());
    return pairs;
  }

  BasaltServer basalt_;
  RedisOracle redis_{{"--enable-debug-command", "yes"}};
  std::optional<RespClient> ours_, theirs_;
};

// Lets a key's TTL run out (time itself is the condition here, not a guess at a server's pace).
void let_ttl_pass(std::chrono::milliseconds ttl) {
  std::this_thread::sleep_for(ttl + 50ms);
}

TEST_F(SuiteRegressions, DelOfExpiredKeyWithCycleOffKeepsKeyCountExact) {
  std::vector<Command> start;
  for (const char* k : {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"})
    start.push_back({"SET", k, "hello"});
  start.push_back({"DBSIZE"});
  for (const char* k : {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"})
    start.push_back({"DEL", k});
  start.push_back({"DBSIZE"});
  start.push_back({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
  start.push_back({"PSETEX", "keyExpire", "100", "valExpire"});
  EXPECT_EQ(same_all(start), "");
  let_ttl_pass(100ms);
  // The suite's "DEL against expired key": 0, and the key is gone (Redis deletes on access).
  // The cycle stays off until the counts are checked, so nothing else can delete it.
  EXPECT_EQ(same_all({{"DEL", "keyExpire"},
                      {"DBSIZE"},
                      {"SET", "mykey", "foo"},
                      {"KEYS", "*"},
                      {"DEL", "mykey"},
                      {"DBSIZE"},
                      {"INFO", "keyspace"},
                      {"DEBUG", "SET-ACTIVE-EXPIRE", "1"}}),
            "");
  // The count is persisted with each write group: a crash changes nothing.
  basalt_.kill9();
  basalt_.start();
  RespClient after = basalt_.client();
  EXPECT_EQ(after.get_integer({"DBSIZE"}), 0);
  EXPECT_EQ(after.get_strings({"KEYS", "*"}), std::vector<std::string>{});
}

TEST_F(SuiteRegressions, ReadsDeleteExpiredKeysWithCycleOff) {
  EXPECT_EQ(same_all({{"FLUSHDB"},
                      {"DEBUG", "SET-ACTIVE-EXPIRE", "0"},
                      {"PSETEX", "key1{t}", "100", "a"},
                      {"PSETEX", "key2{t}", "100", "a"},
                      {"PSETEX", "key3{t}", "100", "a"},
                      {"DBSIZE"}}),
            "");
  let_ttl_pass(100ms);
  // Nobody touched them: still counted; the MGET that meets them deletes them.
  EXPECT_EQ(same_all({{"DBSIZE"},
                      {"MGET", "key1{t}", "key2{t}", "key3{t}"},
                      {"DBSIZE"},
                      {"DEBUG", "SET-ACTIVE-EXPIRE", "1"}}),
            "");
}

// multi.tcl "FLUSHDB while watching stale keys should not fail EXEC": a key already expired
// when watched is logically gone; flushing it is no change for the watcher. A live watched
// key flushed still fails the EXEC.
TEST_F(SuiteRegressions, FlushOfAStaleWatchedKeyIsNoChange) {
  EXPECT_EQ(same_all({{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}, {"SET", "x", "foo", "PX", "1"}}), "");
  let_ttl_pass(1ms);
  EXPECT_EQ(same_all({{"WATCH", "x"},
                      {"FLUSHDB"},
                      {"MULTI"},
                      {"PING"},
                      {"EXEC"},
                      {"SET", "y", "live"},
                      {"WATCH", "y"},
                      {"FLUSHDB"},
                      {"MULTI"},
                      {"PING"},
                      {"EXEC"},
                      {"DEBUG", "SET-ACTIVE-EXPIRE", "1"}}),
            "");
}

TEST_F(SuiteRegressions, QueueingErrorUnderMaxmemoryAbortsExec) {
  RespClient other_ours = basalt_.client(), other_theirs = redis_.client();
  auto both_other = [&](const Command& args) {
    EXPECT_EQ(other_ours.command_raw(args), other_theirs.command_raw(args)) << render_command(args);
  };
  // basalt's used_memory is the dataset's size (0 when empty, where Redis's never is): a key
  // makes `maxmemory 1` a limit both servers are over.
  EXPECT_EQ(same({"SET", "ballast", "1"}), "");
  // multi.tcl "EXEC fails if there are errors while queueing commands #2".
  EXPECT_EQ(same_all({{"DEL", "foo1{t}", "foo2{t}"}, {"MULTI"}, {"SET", "foo1{t}", "bar1"}}), "");
  both_other({"CONFIG", "SET", "maxmemory", "1"});
  EXPECT_EQ(same({"LPUSH", "mylist{t}", "myvalue"}), "");
  both_other({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(same_all({{"SET", "foo2{t}", "bar2"},
                      {"EXEC"},
                      {"EXISTS", "foo1{t}"},
                      {"EXISTS", "foo2{t}"},
                      {"EXISTS", "mylist{t}"}}),
            "");
  // "DISCARD should not fail during OOM": inside MULTI every command is refused.
  both_other({"CONFIG", "SET", "maxmemory", "1"});
  EXPECT_EQ(same_all({{"MULTI"}, {"SET", "x", "1"}, {"GET", "x"}, {"DISCARD"}, {"PING"}}), "");
  both_other({"CONFIG", "SET", "maxmemory", "0"});
  // "MULTI and script timeout" / "EXEC with at least one use-memory command should fail":
  // EXEC runs a read-only queue, discards one holding a deny-oom command.
  EXPECT_EQ(same_all({{"SET", "x", "value"}, {"MULTI"}, {"GET", "x"}, {"PING"}}), "");
  both_other({"CONFIG", "SET", "maxmemory", "1"});
  EXPECT_EQ(same({"EXEC"}), "");
  both_other({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(same_all({{"MULTI"}, {"SET", "x", "1"}, {"GET", "x"}}), "");
  both_other({"CONFIG", "SET", "maxmemory", "1"});
  EXPECT_EQ(same_all({{"EXEC"}, {"SET", "y", "1"}, {"GET", "x"}, {"DEL", "x"}}), "");
  both_other({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(same_all({{"GET", "x"}, {"SET", "y", "2"}, {"CONFIG", "GET", "maxmemory"}}), "");
  // multi.tcl "exec with write commands and state change": NOREPLICAS since queueing.
  EXPECT_EQ(same_all({{"SET", "xx", "1"}, {"MULTI"}, {"INCR", "xx"}}), "");
  both_other({"CONFIG", "SET", "min-replicas-to-write", "2"});
  EXPECT_EQ(same_all({{"EXEC"}, {"GET", "xx"}, {"MULTI"}, {"GET", "xx"}, {"EXEC"}}), "");
  both_other({"CONFIG", "SET", "min-replicas-to-write", "0"});
}

// keyspace.tcl "COPY basic usage for list / hashtable set": DEBUG DIGEST-VALUE digests the
// value (type, expiry, contents), not the key's name, so a copy digests as its source.
TEST(SuiteRegressionsDigest, DigestValueOfACopyEqualsTheSource) {
  BasaltServer basalt;
  basalt.start();
  RespClient c = basalt.client();
  std::vector<Command> makers = {{"RPUSH", "l", "a", "b", "c"},
                                 {"SADD", "s", "x", "1", "y"},
                                 {"HSET", "h", "f", "v", "g", "w"},
                                 {"ZADD", "z", "1", "a", "2", "b"},
                                 {"SET", "str", "hello"}};
  for (const auto& make : makers) {
    SCOPED_TRACE(make[1]);
    ASSERT_NE(c.command(make).type, Reply::Error);
    ASSERT_EQ(c.get_integer({"COPY", make[1], make[1] + ":copy"}), 1);
    auto digests = c.get_strings({"DEBUG", "DIGEST-VALUE", make[1], make[1] + ":copy"});
    ASSERT_EQ(digests.size(), 2u);
    EXPECT_EQ(digests[0], digests[1]);
    EXPECT_NE(digests[0], std::string(40, '0'));
  }
  // Different contents still differ.
  auto two = c.get_strings({"DEBUG", "DIGEST-VALUE", "l", "s"});
  EXPECT_NE(two[0], two[1]);
}

// hash.tcl's memory_usage helper stopped the unit at its third test (MEMORY was unknown).
// The sizes are basalt's own (bytes stored); the replies' shapes and errors are Redis's.
TEST_F(SuiteRegressions, MemoryUsage) {
  EXPECT_EQ(same_all({{"SET", "k", "v"},
                      {"HSET", "h", "a", "1", "b", "2"},
                      {"MEMORY", "USAGE", "nokey"},
                      {"MEMORY", "USAGE", "k", "SAMPLES"},
                      {"MEMORY", "USAGE", "k", "SAMPLES", "x"},
                      {"MEMORY", "USAGE", "k", "SAMPLES", "-1"},
                      {"MEMORY", "USAGE", "k", "FOO", "1"},
                      {"MEMORY", "USAGE"},
                      {"MEMORY", "USAGE", "k", "SAMPLES", "0", "SAMPLES", "x"}}),
            "");
  EXPECT_GT(ours_->get_integer({"MEMORY", "USAGE", "k"}), 0);
  long long small = ours_->get_integer({"MEMORY", "USAGE", "h", "SAMPLES", "0"});
  ASSERT_EQ(ours_->command({"HSET", "h", "c", std::string(1000, 'x')}).type, Reply::Integer);
  EXPECT_GT(ours_->get_integer({"MEMORY", "USAGE", "h", "SAMPLES", "0"}), small + 1000);
}

const std::vector<std::string> kEncodingDirectives = {
    "hash-max-listpack-entries", "hash-max-listpack-value",  "set-max-intset-entries",
    "zset-max-listpack-entries", "zset-max-listpack-value",  "list-max-listpack-size",
    "list-compress-depth",       "hash-max-ziplist-entries", "hash-max-ziplist-value",
    "zset-max-ziplist-entries",  "zset-max-ziplist-value",   "list-max-ziplist-size"};

TEST_F(SuiteRegressions, EncodingDirectivesInConfigSetAndGet) {
  std::vector<Command> commands;
  for (const auto& name : kEncodingDirectives) commands.push_back({"CONFIG", "GET", name});
  for (const auto& name : kEncodingDirectives) {
    for (const char* value : {"16", "0", "-1", "1kb", "abc", "9223372036854775807", "1"}) {
      commands.push_back({"CONFIG", "SET", name, value});
      commands.push_back({"CONFIG", "GET", name});
    }
  }
  // The old name sets the new one, and the other way round.
  commands.push_back({"CONFIG", "SET", "list-max-ziplist-size", "-3"});
  commands.push_back({"CONFIG", "GET", "list-max-listpack-size"});
  commands.push_back(
      {"CONFIG", "SET", "zset-max-listpack-value", "7", "hash-max-ziplist-value", "9"});
  commands.push_back({"CONFIG", "GET", "zset-max-ziplist-value"});
  commands.push_back({"CONFIG", "GET", "hash-max-listpack-value"});
  EXPECT_EQ(same_all(commands), "");
  // Patterns match both names (Redis replies in hash order: compared as sets).
  for (const char* glob : {"*ziplist*", "*listpack*", "*-max-*", "list-*"}) {
    auto ours = config_pairs(*ours_, glob), theirs = config_pairs(*theirs_, glob);
    // Each server has directives the other has not (stream-node-max-*, rocksdb-*, ...): the
    // encoding directives the pattern matches must be the same on both.
    auto encoding = [](const std::pair<std::string, std::string>& p) {
      return std::find(kEncodingDirectives.begin(), kEncodingDirectives.end(), p.first) !=
             kEncodingDirectives.end();
    };
    for (const auto& p : ours) {
      if (!encoding(p)) continue;
      EXPECT_TRUE(std::find(theirs.begin(), theirs.end(), p) != theirs.end())
          << glob << ": " << p.first << " " << p.second;
    }
    for (const auto& p : theirs) {
      if (!encoding(p)) continue;
      EXPECT_TRUE(std::find(ours.begin(), ours.end(), p) != ours.end())
          << glob << ": missing " << p.first;
    }
  }
}

// Commands creating the same collections on both servers, then OBJECT ENCODING of each.
std::vector<Command> encoding_cases(const std::string& tag) {
  auto many = [](Command head, int n, bool scores, const std::string& member_prefix, bool values) {
    for (int i = 0; i < n; ++i) {
      if (scores) head.push_back(std::to_string(i));
      head.push_back(member_prefix + std::to_string(i));
      if (values) head.push_back("v");
    }
    return head;
  };
  std::string big(65, 'x');
  std::vector<Command> setup = {
      {"HSET", "h:small" + tag, "a", "1", "b", "2"},
      many({"HSET", "h:many" + tag}, 513, false, "f", true),
      many({"HSET", "h:edge" + tag}, 512, false, "f", true),
      {"HSET", "h:longval" + tag, "a", big},
      {"HSET", "h:longfield" + tag, big, "1"},
      {"SADD", "s:ints" + tag, "1", "2", "-3", "9223372036854775807"},
      many({"SADD", "s:manyints" + tag}, 513, false, "", false),
      many({"SADD", "s:edgeints" + tag}, 512, false, "", false),
      {"SADD", "s:str" + tag, "1", "a"},
      {"SADD", "s:notint" + tag, "01", "2"},
      {"SADD", "s:bigint" + tag, "9223372036854775808"},
      {"ZADD", "z:small" + tag, "1", "a", "2", "b"},
      many({"ZADD", "z:many" + tag}, 129, true, "m", false),
      many({"ZADD", "z:edge" + tag}, 128, true, "m", false),
      {"ZADD", "z:longmember" + tag, "1", big},
      {"RPUSH", "l:small" + tag, "a", "b"},
      many({"RPUSH", "l:many" + tag}, 1000, false, "e", false),
      {"SET", "str:int" + tag, "12345"},
      {"SET", "str:emb" + tag, "hello"},
      {"SET", "str:raw" + tag, std::string(45, 'r')},
  };
  std::vector<Command> out = setup;
  for (const auto& c : setup) out.push_back({"OBJECT", "ENCODING", c[1]});
  return out;
}

TEST_F(SuiteRegressions, ObjectEncodingMatchesRedisForSizesAndThresholds) {
  EXPECT_EQ(same_all(encoding_cases(":default")), "");
  // Lower thresholds: new collections take the large encodings sooner.
  EXPECT_EQ(same_all({{"CONFIG", "SET", "hash-max-ziplist-entries", "2"},
                      {"CONFIG", "SET", "hash-max-listpack-value", "3"},
                      {"CONFIG", "SET", "set-max-intset-entries", "2"},
                      {"CONFIG", "SET", "zset-max-ziplist-entries", "2"},
                      {"CONFIG", "SET", "zset-max-listpack-value", "3"},
                      {"HSET", "h2:two", "a", "1", "b", "2"},
                      {"HSET", "h2:three", "a", "1", "b", "2", "c", "3"},
                      {"HSET", "h2:val4", "a", "1234"},
                      {"HSET", "h2:field4", "abcd", "1"},
                      {"SADD", "s2:two", "1", "2"},
                      {"SADD", "s2:three", "1", "2", "3"},
                      {"ZADD", "z2:two", "1", "a", "2", "b"},
                      {"ZADD", "z2:three", "1", "a", "2", "b", "3", "c"},
                      {"ZADD", "z2:long", "1", "abcd"},
                      {"OBJECT", "ENCODING", "h2:two"},
                      {"OBJECT", "ENCODING", "h2:three"},
                      {"OBJECT", "ENCODING", "h2:val4"},
                      {"OBJECT", "ENCODING", "h2:field4"},
                      {"OBJECT", "ENCODING", "s2:two"},
                      {"OBJECT", "ENCODING", "s2:three"},
                      {"OBJECT", "ENCODING", "z2:two"},
                      {"OBJECT", "ENCODING", "z2:three"},
                      {"OBJECT", "ENCODING", "z2:long"}}),
            "");
  // Zero entries: every non-empty collection takes the large encoding.
  EXPECT_EQ(same_all({{"CONFIG", "SET", "hash-max-listpack-entries", "0"},
                      {"CONFIG", "SET", "set-max-intset-entries", "0"},
                      {"CONFIG", "SET", "zset-max-listpack-entries", "0"},
                      {"HSET", "h0", "a", "1"},
                      {"SADD", "s0", "1"},
                      {"ZADD", "z0", "1", "a"},
                      {"OBJECT", "ENCODING", "h0"},
                      {"OBJECT", "ENCODING", "s0"},
                      {"OBJECT", "ENCODING", "z0"}}),
            "");
}

}  // namespace
}  // namespace basalt::test
