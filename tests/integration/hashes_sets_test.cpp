// tests/integration/hashes_sets_test.cpp — the hash and set commands of a real basalt process,
// checked against Debian's redis-server 7.0 (RedisOracle):
//  - per-command cases: each expected reply is asserted for basalt AND for Redis, so the
//    expectations are Redis's behaviour, not ours;
//  - WRONGTYPE (and the errors that come before it) for every command against a string key;
//  - HRANDFIELD / SRANDMEMBER / SPOP shapes, HSCAN / SSCAN full iterations under changes;
//  - a seeded, bounded differential run (2 seeds x 2000 commands over a small key space),
//    replies compared byte for byte; replies whose order Redis leaves open are compared
//    sorted; random picks are checked for shape and membership; SPOP's random choice is
//    copied onto Redis so the data sets stay equal;
//  - DEBUG DIGEST: equal on two basalt servers fed the same data in different orders, and on
//    a replica fed by a master running the random commands (SPOP, HINCRBYFLOAT, ...);
//  - large collections: O(1) HLEN / SCARD, a full HSCAN, DEL of a large set.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;
using Clock = std::chrono::steady_clock;

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}
std::string integer(long long n) {
  return ":" + std::to_string(n) + "\r\n";
}
std::string error(const std::string& message) {
  return "-" + message + "\r\n";
}
const std::string kNil = "$-1\r\n";
const std::string kOk = "+OK\r\n";
const std::string kEmpty = "*0\r\n";
const std::string kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

// The strings of an array reply (empty for other replies).
std::vector<std::string> strings_of(const std::string& raw) {
  std::vector<std::string> out;
  Reply r = parse_reply(raw);
  for (const auto& e : r.elements) out.push_back(e.str);
  return out;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
// A flat field, value, ... array as sorted "field\0value" pairs.
std::vector<std::string> sorted_pairs(const std::vector<std::string>& flat) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) out.push_back(flat[i] + '\0' + flat[i + 1]);
  return sorted(out);
}

// A whole HSCAN / SSCAN iteration (args = {CMD, key, "0", options...}): the sorted elements
// (pairs for HSCAN), or an error as a one-element list starting with "-".
std::vector<std::string> full_scan(RespClient& c, const Args& args) {
  const ScanResult scan = scan_all(c, args, 2);
  if (!scan.error.empty()) return {scan.error};
  return args[0] == "HSCAN" || args[0] == "hscan" ? sorted_pairs(scan.items) : sorted(scan.items);
}

// ---------------------------------------------------------------------------------------------
// Fixture: one basalt and one redis-server per suite, flushed before each test.

class HashesSets : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    basalt_.reset();
    redis_.reset();
  }

  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
    if (!basalt_ || !basalt_->running()) {
      basalt_ = std::make_unique<BasaltServer>();
      basalt_->start();
    }
    if (!redis_ || !redis_->running()) {
      redis_ = std::make_unique<RedisOracle>();
      redis_->start();
    }
    ours_.emplace(basalt_->client());
    theirs_.emplace(redis_->client());
    ASSERT_EQ(ours_->command_raw({"FLUSHALL"}), kOk);
    ASSERT_EQ(theirs_->command_raw({"FLUSHALL"}), kOk);
  }

  void TearDown() override {
    if (HasFailure() && basalt_) {
      std::cerr << "--- basalt log tail ---\n" << basalt_->log_tail(30) << "--- end ---\n";
    }
  }

  // Runs `args` on both servers; basalt's reply must be `expected`, and so must Redis's.
  void check(const Args& args, const std::string& expected) {
    std::string ours = ours_->command_raw(args), theirs = theirs_->command_raw(args);
    EXPECT_EQ(escape_bytes(theirs, 400), escape_bytes(expected, 400))
        << "redis disagrees with the expectation for " << render_command(args);
    EXPECT_EQ(escape_bytes(ours, 400), escape_bytes(expected, 400)) << render_command(args);
  }
  // The same for an array reply whose order is not defined.
  void check_sorted(const Args& args, const std::vector<std::string>& expected) {
    std::string ours = ours_->command_raw(args), theirs = theirs_->command_raw(args);
    EXPECT_EQ(sorted(strings_of(theirs)), sorted(expected)) << "redis: " << render_command(args);
    EXPECT_EQ(sorted(strings_of(ours)), sorted(expected)) << render_command(args);
    EXPECT_EQ(ours[0], '*') << render_command(args);
  }
  // Both servers must answer byte for byte alike.
  void same(const Args& args) {
    std::string ours = ours_->command_raw(args), theirs = theirs_->command_raw(args);
    EXPECT_EQ(escape_bytes(ours, 400), escape_bytes(theirs, 400)) << render_command(args);
  }
  void both(const Args& args) {
    ours_->command_raw(args);
    theirs_->command_raw(args);
  }

  static inline std::unique_ptr<BasaltServer> basalt_;
  static inline std::unique_ptr<RedisOracle> redis_;
  std::optional<RespClient> ours_, theirs_;
};

// ---------------------------------------------------------------------------------------------
// Hashes

TEST_F(HashesSets, HashBasics) {
  check({"HSET", "h", "f1", "v1", "f2", "v2"}, integer(2));
  check({"HSET", "h", "f1", "new", "f3", "v3", "f3", "v3b"}, integer(1));
  check({"HGET", "h", "f1"}, bulk("new"));
  check({"HGET", "h", "nope"}, kNil);
  check({"HGET", "missing", "f"}, kNil);
  check({"HMGET", "h", "f1", "nope", "f3"}, "*3\r\n" + bulk("new") + kNil + bulk("v3b"));
  check({"HMGET", "missing", "a", "b"}, "*2\r\n" + kNil + kNil);
  check({"HLEN", "h"}, integer(3));
  check({"HLEN", "missing"}, integer(0));
  check({"HEXISTS", "h", "f2"}, integer(1));
  check({"HEXISTS", "h", "zz"}, integer(0));
  check({"HEXISTS", "missing", "f2"}, integer(0));
  check({"HSTRLEN", "h", "f3"}, integer(3));
  check({"HSTRLEN", "h", "zz"}, integer(0));
  check({"HSTRLEN", "missing", "zz"}, integer(0));
  check({"HSETNX", "h", "f1", "x"}, integer(0));
  check({"HSETNX", "h", "f4", "x"}, integer(1));
  check({"HSETNX", "new", "f", ""}, integer(1));
  check({"HGET", "new", "f"}, bulk(""));
  check({"HMSET", "h", "f5", "v5", "f1", "again"}, kOk);
  check_sorted({"HKEYS", "h"}, {"f1", "f2", "f3", "f4", "f5"});
  check_sorted({"HVALS", "h"}, {"again", "v2", "v3b", "x", "v5"});
  check({"HKEYS", "missing"}, kEmpty);
  check({"HVALS", "missing"}, kEmpty);
  check({"HGETALL", "missing"}, kEmpty);
  EXPECT_EQ(sorted_pairs(strings_of(ours_->command_raw({"HGETALL", "h"}))),
            sorted_pairs(strings_of(theirs_->command_raw({"HGETALL", "h"}))));
  EXPECT_EQ(strings_of(ours_->command_raw({"HGETALL", "h"})).size(), 10u);
  check({"HDEL", "h", "f1", "f1", "zz", "f2"}, integer(2));
  check({"HDEL", "missing", "f"}, integer(0));
  check({"HDEL", "h", "f3", "f4", "f5"}, integer(3));
  check({"EXISTS", "h"}, integer(0));  // the emptied hash is gone
  check({"TYPE", "new"}, "+hash\r\n");
  // Binary-safe fields and values.
  std::string odd("a\0b\r\n", 5);
  check({"HSET", "bin", odd, odd}, integer(1));
  check({"HGET", "bin", odd}, bulk(odd));
}

TEST_F(HashesSets, HashArityErrors) {
  for (const Args& a : std::vector<Args>{{"HSET", "h"},
                                         {"HSET", "h", "f"},
                                         {"HSET", "h", "f", "v", "g"},
                                         {"HMSET", "h", "f"},
                                         {"HMSET", "h", "f", "v", "g"},
                                         {"HSETNX", "h", "f"},
                                         {"HGET", "h"},
                                         {"HMGET", "h"},
                                         {"HDEL", "h"},
                                         {"HLEN"},
                                         {"HGETALL", "h", "x"},
                                         {"HINCRBY", "h", "f"},
                                         {"HINCRBYFLOAT", "h", "f", "1", "2"},
                                         {"HRANDFIELD"},
                                         {"HSCAN", "h"},
                                         {"HSTRLEN", "h"}}) {
    same(a);
  }
  check({"HSET", "h", "f", "v", "g"}, error("ERR wrong number of arguments for 'hset' command"));
  check({"EXISTS", "h"}, integer(0));
}

TEST_F(HashesSets, HashCounters) {
  check({"HINCRBY", "h", "n", "5"}, integer(5));
  check({"HINCRBY", "h", "n", "-7"}, integer(-2));
  check({"HINCRBY", "h", "n", "x"}, error("ERR value is not an integer or out of range"));
  check({"HINCRBY", "h", "n", "1.5"}, error("ERR value is not an integer or out of range"));
  check({"HSET", "h", "s", "abc", "big", "9223372036854775807", "sp", " 1", "f", "1.5"},
        integer(4));
  check({"HINCRBY", "h", "s", "1"}, error("ERR hash value is not an integer"));
  check({"HINCRBY", "h", "sp", "1"}, error("ERR hash value is not an integer"));
  check({"HINCRBY", "h", "big", "1"}, error("ERR increment or decrement would overflow"));
  check({"HINCRBY", "h", "big", "-9223372036854775807"}, integer(0));
  check({"HINCRBY", "h", "min", "-9223372036854775808"}, integer(INT64_MIN));
  check({"HINCRBY", "h", "min", "-1"}, error("ERR increment or decrement would overflow"));
  check({"HINCRBYFLOAT", "h", "f", "0.1"}, bulk("1.6"));
  check({"HINCRBYFLOAT", "h", "f", "-1.6"}, bulk("0"));
  check({"HINCRBYFLOAT", "h", "g", "5.0e3"}, bulk("5000"));
  check({"HINCRBYFLOAT", "h", "g", "1e-17"}, bulk("5000"));
  check({"HINCRBYFLOAT", "h", "n", "0.5"}, bulk("-1.5"));
  check({"HINCRBYFLOAT", "h", "x", "0x10"}, bulk("16"));
  check({"HINCRBYFLOAT", "h", "s", "1"}, error("ERR hash value is not a float"));
  check({"HINCRBYFLOAT", "h", "sp", "1"}, error("ERR hash value is not a float"));
  check({"HINCRBYFLOAT", "h", "f", "abc"}, error("ERR value is not a valid float"));
  check({"HINCRBYFLOAT", "h", "f", "inf"}, error("ERR value is NaN or Infinity"));
  check({"HINCRBYFLOAT", "h", "f", "1e4933"}, error("ERR value is not a valid float"));
  same({"HINCRBYFLOAT", "h", "y", "1e400"});   // a long double: a 401-digit reply
  same({"HINCRBYFLOAT", "h", "y", "-1e400"});  // back to 0
  same({"HINCRBYFLOAT", "h", "y", "1e4932"});
  check({"HINCRBYFLOAT", "h", "y", "1e4932"}, error("ERR increment would produce NaN or Infinity"));
  check({"HGET", "h", "f"}, bulk("0"));
  check({"HLEN", "h"}, integer(9));
}

TEST_F(HashesSets, HrandfieldShapesAndErrors) {
  for (const Args& a :
       std::vector<Args>{{"HRANDFIELD", "missing"},
                         {"HRANDFIELD", "missing", "3"},
                         {"HRANDFIELD", "missing", "0", "WITHVALUES"},
                         {"HRANDFIELD", "missing", "x"},
                         {"HRANDFIELD", "missing", "-9223372036854775808"},
                         {"HRANDFIELD", "missing", "-9223372036854775807", "WITHVALUES"},
                         {"HRANDFIELD", "missing", "1", "WITHVALUES", "x"},
                         {"HRANDFIELD", "missing", "1", "withscores"}}) {
    same(a);
  }
  both({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"});
  check({"HRANDFIELD", "h", "0"}, kEmpty);
  std::set<std::string> fields{"a", "b", "c", "d", "e"};
  std::map<std::string, std::string> value_of{
      {"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};
  for (int i = 0; i < 20; ++i) {
    Reply one = ours_->command({"HRANDFIELD", "h"});
    ASSERT_EQ(one.type, Reply::Bulk);
    EXPECT_TRUE(fields.count(one.str)) << one.str;
  }
  auto three = strings_of(ours_->command_raw({"HRANDFIELD", "h", "3"}));
  EXPECT_EQ(three.size(), 3u);
  EXPECT_EQ(std::set<std::string>(three.begin(), three.end()).size(), 3u);
  auto all = strings_of(ours_->command_raw({"HRANDFIELD", "h", "10"}));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), fields);
  auto repeats = strings_of(ours_->command_raw({"HRANDFIELD", "h", "-12"}));
  EXPECT_EQ(repeats.size(), 12u);
  for (const auto& f : repeats) EXPECT_TRUE(fields.count(f)) << f;
  for (const char* count : {"2", "-7", "9"}) {
    auto pairs = strings_of(ours_->command_raw({"HRANDFIELD", "h", count, "WITHVALUES"}));
    long long n = std::stoll(count);
    EXPECT_EQ(pairs.size(), 2u * static_cast<size_t>(n < 0 ? -n : std::min(n, 5ll))) << count;
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) EXPECT_EQ(value_of[pairs[i]], pairs[i + 1]);
  }
  // Every field comes up over enough draws (the pick is not stuck on one end).
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < fields.size(); ++i)
    seen.insert(ours_->command({"HRANDFIELD", "h"}).str);
  EXPECT_EQ(seen, fields);
}

TEST_F(HashesSets, HscanErrorsMatchRedis) {
  both({"HSET", "h", "a", "1"});
  both({"SET", "str", "x"});
  for (const Args& a : std::vector<Args>{{"HSCAN", "h", "x"},
                                         {"HSCAN", "h", "18446744073709551616"},
                                         {"HSCAN", "h", " 0"},
                                         {"HSCAN", "h", "0", "COUNT", "0"},
                                         {"HSCAN", "h", "0", "COUNT", "x"},
                                         {"HSCAN", "h", "0", "COUNT"},
                                         {"HSCAN", "h", "0", "TYPE", "hash"},
                                         {"HSCAN", "h", "0", "FOO", "1"},
                                         {"HSCAN", "str", "0"},
                                         {"HSCAN", "str", "x"},
                                         {"HSCAN", "missing", "0"},
                                         {"HSCAN", "missing", "0", "COUNT", "0"},
                                         {"HSCAN", "missing", "x"},
                                         {"HSCAN", "h", "0"},
                                         {"HSCAN", "h", "0", "MATCH", "a*", "COUNT", "5"},
                                         {"SSCAN", "h", "0"},
                                         {"SSCAN", "missing", "0", "junk"}}) {
    same(a);
  }
}

// Fields that exist for the whole iteration come back exactly once, whatever else changes.
TEST_F(HashesSets, HscanFullIterationUnderChanges) {
  RespClient& c = *ours_;
  std::string bytes;
  for (int i = 0; i < 1000; ++i) {
    bytes += encode_command({"HSET", "h", "f" + std::to_string(i), std::to_string(i)});
  }
  c.send_raw(bytes);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.read_reply_raw(), integer(1));
  std::map<std::string, int> seen;
  Args args = {"HSCAN", "h", "0", "COUNT", "37"};
  int rounds = 0, extra = 0;
  do {
    Reply r = c.command(args);
    ASSERT_EQ(r.type, Reply::Array);
    ASSERT_EQ(r.elements.size(), 2u);
    const auto& items = r.elements[1].elements;
    ASSERT_EQ(items.size() % 2, 0u);
    for (size_t i = 0; i < items.size(); i += 2) {
      ++seen[items[i].str];
      if (items[i].str.starts_with("f")) {
        EXPECT_EQ("f" + items[i + 1].str, items[i].str);
      }
    }
    args[2] = r.elements[0].str;
    // Meanwhile: new fields appear (maybe seen, at most once) and f9xx fields vanish.
    c.command({"HSET", "h", "new" + std::to_string(extra++), "x"});
    c.command({"HDEL", "h", "f9" + std::to_string(100 + rounds % 100).substr(1)});
    ++rounds;
  } while (args[2] != "0" && rounds < 1000);
  EXPECT_EQ(args[2], "0");
  EXPECT_GE(rounds, 1000 / 37);
  for (int i = 0; i < 900; ++i) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u) << i;
  for (const auto& [field, n] : seen) EXPECT_EQ(n, 1) << field;
  // MATCH filters fields; COUNT is a hint. A forgotten or foreign cursor starts over.
  auto matched = full_scan(c, {"HSCAN", "h", "0", "MATCH", "f1?", "COUNT", "3"});
  EXPECT_EQ(matched.size(), 10u);
  Reply restart = c.command({"HSCAN", "h", "123456789", "COUNT", "5000"});
  EXPECT_EQ(restart.elements.at(0).str, "0");
  EXPECT_EQ(restart.elements.at(1).elements.size(),
            2 * static_cast<size_t>(c.get_integer({"HLEN", "h"})));
}

// ---------------------------------------------------------------------------------------------
// Sets

TEST_F(HashesSets, SetBasics) {
  check({"SADD", "s", "a", "b", "c", "a"}, integer(3));
  check({"SADD", "s", "a"}, integer(0));
  check({"SCARD", "s"}, integer(3));
  check({"SCARD", "missing"}, integer(0));
  check({"SISMEMBER", "s", "b"}, integer(1));
  check({"SISMEMBER", "s", "z"}, integer(0));
  check({"SISMEMBER", "missing", "z"}, integer(0));
  check({"SMISMEMBER", "s", "a", "z", "c"}, "*3\r\n:1\r\n:0\r\n:1\r\n");
  check({"SMISMEMBER", "missing", "a"}, "*1\r\n:0\r\n");
  check_sorted({"SMEMBERS", "s"}, {"a", "b", "c"});
  check({"SMEMBERS", "missing"}, kEmpty);
  check({"SREM", "s", "a", "z", "a"}, integer(1));
  check({"SREM", "missing", "a"}, integer(0));
  check({"SMOVE", "s", "t", "b"}, integer(1));
  check({"SMOVE", "s", "t", "b"}, integer(0));
  check({"SMOVE", "missing", "t", "b"}, integer(0));
  check({"SMOVE", "s", "s", "c"}, integer(1));
  check({"SMOVE", "s", "s", "zz"}, integer(0));
  check({"SMOVE", "s", "t", "c"}, integer(1));  // s emptied: gone
  check({"EXISTS", "s"}, integer(0));
  check_sorted({"SMEMBERS", "t"}, {"b", "c"});
  check({"SMOVE", "t", "u", "c"}, integer(1));
  check({"SADD", "t", "c"}, integer(1));
  check({"SMOVE", "t", "u", "c"}, integer(1));  // already in u: still 1
  check_sorted({"SMEMBERS", "u"}, {"c"});
  check({"TYPE", "u"}, "+set\r\n");
  for (const Args& a : std::vector<Args>{{"SADD", "s"},
                                         {"SREM", "s"},
                                         {"SMISMEMBER", "s"},
                                         {"SISMEMBER", "s"},
                                         {"SMOVE", "a", "b"},
                                         {"SCARD"},
                                         {"SINTERCARD", "1"},
                                         {"SINTERSTORE", "d"},
                                         {"SSCAN", "s"}}) {
    same(a);
  }
}

TEST_F(HashesSets, SpopAndSrandmember) {
  for (const Args& a : std::vector<Args>{{"SPOP", "missing"},
                                         {"SPOP", "missing", "0"},
                                         {"SPOP", "missing", "3"},
                                         {"SPOP", "missing", "-1"},
                                         {"SPOP", "missing", "x"},
                                         {"SPOP", "missing", "1", "2"},
                                         {"SRANDMEMBER", "missing"},
                                         {"SRANDMEMBER", "missing", "5"},
                                         {"SRANDMEMBER", "missing", "-5"},
                                         {"SRANDMEMBER", "missing", "x"},
                                         {"SRANDMEMBER", "missing", "-9223372036854775808"},
                                         {"SRANDMEMBER", "missing", "1", "2"}}) {
    same(a);
  }
  std::set<std::string> members;
  Args sadd = {"SADD", "s"};
  for (int i = 0; i < 20; ++i) {
    members.insert("m" + std::to_string(i));
    sadd.push_back("m" + std::to_string(i));
  }
  both(sadd);
  check({"SPOP", "s", "0"}, kEmpty);
  check({"SRANDMEMBER", "s", "0"}, kEmpty);
  auto some = strings_of(ours_->command_raw({"SRANDMEMBER", "s", "7"}));
  EXPECT_EQ(std::set<std::string>(some.begin(), some.end()).size(), 7u);
  auto everything = strings_of(ours_->command_raw({"SRANDMEMBER", "s", "25"}));
  EXPECT_EQ(std::set<std::string>(everything.begin(), everything.end()), members);
  auto repeats = strings_of(ours_->command_raw({"SRANDMEMBER", "s", "-50"}));
  EXPECT_EQ(repeats.size(), 50u);
  for (const auto& m : repeats) EXPECT_TRUE(members.count(m)) << m;
  // Pops remove what they return, and nothing else.
  std::set<std::string> popped;
  std::string one = ours_->command({"SPOP", "s"}).str;
  popped.insert(one);
  for (const auto& m : strings_of(ours_->command_raw({"SPOP", "s", "5"}))) {
    EXPECT_TRUE(popped.insert(m).second) << m;
  }
  EXPECT_EQ(popped.size(), 6u);
  auto rest = strings_of(ours_->command_raw({"SMEMBERS", "s"}));
  EXPECT_EQ(rest.size(), 14u);
  for (const auto& m : rest) {
    EXPECT_TRUE(members.count(m));
    EXPECT_FALSE(popped.count(m));
  }
  EXPECT_EQ(ours_->get_integer({"SCARD", "s"}), 14);
  auto last = strings_of(ours_->command_raw({"SPOP", "s", "14"}));
  EXPECT_EQ(sorted(last), sorted(rest));
  EXPECT_EQ(ours_->get_integer({"EXISTS", "s"}), 0);
  // Uniform enough that every member comes up.
  both({"SADD", "t", "x", "y", "z", "w"});
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < 4; ++i)
    seen.insert(ours_->command({"SRANDMEMBER", "t"}).str);
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(HashesSets, SetAlgebra) {
  both({"SADD", "a", "1", "2", "3", "4"});
  both({"SADD", "b", "3", "4", "5"});
  both({"SADD", "c", "4", "6"});
  check_sorted({"SINTER", "a", "b"}, {"3", "4"});
  check_sorted({"SINTER", "a", "b", "c"}, {"4"});
  check_sorted({"SINTER", "a", "a"}, {"1", "2", "3", "4"});
  check({"SINTER", "a", "missing"}, kEmpty);
  check_sorted({"SUNION", "a", "b", "missing"}, {"1", "2", "3", "4", "5"});
  check_sorted({"SDIFF", "a", "b"}, {"1", "2"});
  check_sorted({"SDIFF", "a", "missing", "c"}, {"1", "2", "3"});
  check({"SDIFF", "a", "a"}, kEmpty);
  check({"SDIFF", "missing", "a"}, kEmpty);
  check({"SINTERCARD", "2", "a", "b"}, integer(2));
  check({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, integer(1));
  check({"SINTERCARD", "2", "a", "b", "limit", "0"}, integer(2));
  check({"SINTERCARD", "1", "missing"}, integer(0));
  check({"SINTERSTORE", "d", "a", "b"}, integer(2));
  check_sorted({"SMEMBERS", "d"}, {"3", "4"});
  check({"SUNIONSTORE", "d", "d", "c"}, integer(3));  // the destination is also an input
  check_sorted({"SMEMBERS", "d"}, {"3", "4", "6"});
  check({"SDIFFSTORE", "d", "d", "a"}, integer(1));
  check_sorted({"SMEMBERS", "d"}, {"6"});
  check({"SINTERSTORE", "d", "a", "missing"}, integer(0));
  check({"EXISTS", "d"}, integer(0));
  check({"SDIFFSTORE", "d", "missing"}, integer(0));
  // A STORE replaces whatever the destination held, TTL included.
  both({"SET", "str", "x"});
  both({"EXPIRE", "str", "1000"});
  check({"SUNIONSTORE", "str", "c"}, integer(2));
  check({"TTL", "str"}, integer(-1));
  check({"TYPE", "str"}, "+set\r\n");
  for (const Args& a : std::vector<Args>{{"SINTERCARD", "0", "a"},
                                         {"SINTERCARD", "x", "a"},
                                         {"SINTERCARD", "-1", "a"},
                                         {"SINTERCARD", "3", "a", "b"},
                                         {"SINTERCARD", "1", "a", "LIMIT", "-1"},
                                         {"SINTERCARD", "1", "a", "LIMIT", "x"},
                                         {"SINTERCARD", "1", "a", "LIMIT"},
                                         {"SINTERCARD", "1", "a", "FOO", "1"},
                                         {"SINTERCARD", "1", "missing", "b"}}) {
    same(a);
  }
}

// Every command with a string key where a hash or set is expected: the error Redis gives
// (WRONGTYPE, or an argument error it checks first), and nothing changed.
TEST_F(HashesSets, WrongTypeAgainstAStringKey) {
  both({"SET", "str", "x"});
  both({"SADD", "set", "a"});
  both({"HSET", "hash", "f", "v"});
  const std::vector<Args> commands = {{"HSET", "str", "f", "v"},
                                      {"HSETNX", "str", "f", "v"},
                                      {"HMSET", "str", "f", "v"},
                                      {"HGET", "str", "f"},
                                      {"HMGET", "str", "f"},
                                      {"HGETALL", "str"},
                                      {"HKEYS", "str"},
                                      {"HVALS", "str"},
                                      {"HDEL", "str", "f"},
                                      {"HEXISTS", "str", "f"},
                                      {"HLEN", "str"},
                                      {"HSTRLEN", "str", "f"},
                                      {"HINCRBY", "str", "f", "1"},
                                      {"HINCRBY", "str", "f", "x"},
                                      {"HINCRBYFLOAT", "str", "f", "1"},
                                      {"HINCRBYFLOAT", "str", "f", "x"},
                                      {"HRANDFIELD", "str"},
                                      {"HRANDFIELD", "str", "0"},
                                      {"HRANDFIELD", "str", "2", "WITHVALUES"},
                                      {"HRANDFIELD", "str", "x"},
                                      {"HSCAN", "str", "0"},
                                      {"HSCAN", "str", "0", "COUNT", "0"},
                                      {"HGET", "set", "a"},
                                      {"HSET", "set", "a", "b"},
                                      {"SADD", "str", "a"},
                                      {"SREM", "str", "a"},
                                      {"SMEMBERS", "str"},
                                      {"SISMEMBER", "str", "a"},
                                      {"SMISMEMBER", "str", "a"},
                                      {"SCARD", "str"},
                                      {"SPOP", "str"},
                                      {"SPOP", "str", "0"},
                                      {"SPOP", "str", "-1"},
                                      {"SRANDMEMBER", "str"},
                                      {"SRANDMEMBER", "str", "0"},
                                      {"SRANDMEMBER", "str", "-3"},
                                      {"SMOVE", "str", "set", "a"},
                                      {"SMOVE", "set", "str", "a"},
                                      {"SMOVE", "set", "str", "zz"},
                                      {"SMOVE", "missing", "str", "a"},
                                      {"SMOVE", "str", "missing", "a"},
                                      {"SINTER", "set", "str"},
                                      {"SINTER", "missing", "str"},
                                      {"SUNION", "set", "str"},
                                      {"SDIFF", "set", "str"},
                                      {"SDIFF", "missing", "str"},
                                      {"SINTERSTORE", "d", "set", "str"},
                                      {"SUNIONSTORE", "d", "str"},
                                      {"SDIFFSTORE", "set", "set", "str"},
                                      {"SINTERCARD", "2", "set", "str"},
                                      {"SINTERCARD", "2", "missing", "str"},
                                      {"SSCAN", "str", "0"},
                                      {"SADD", "hash", "a"},
                                      {"SMEMBERS", "hash"}};
  for (const auto& a : commands) same(a);
  check({"HSET", "str", "f", "v"}, kWrongType);
  check({"SADD", "str", "a"}, kWrongType);
  check({"GET", "str"}, bulk("x"));
  check_sorted({"SMEMBERS", "set"}, {"a"});
  check({"HGET", "hash", "f"}, bulk("v"));
  check({"EXISTS", "d"}, integer(0));
  check({"GET", "hash"}, kWrongType);
}

// Collections keep their TTL through element writes and travel with RENAME / COPY / MOVE.
TEST_F(HashesSets, TtlAndKeyCommands) {
  both({"HSET", "h", "f", "v"});
  both({"EXPIRE", "h", "1000"});
  both({"HSET", "h", "g", "w"});
  both({"HINCRBYFLOAT", "h", "n", "1.5"});
  both({"HDEL", "h", "f"});
  EXPECT_GT(ours_->get_integer({"TTL", "h"}), 990);
  both({"SADD", "s", "a", "b"});
  both({"PEXPIRE", "s", "1000000"});
  both({"SPOP", "s"});
  EXPECT_GT(ours_->get_integer({"TTL", "s"}), 990);
  both({"SADD", "s2", "x", "y"});
  check({"RENAME", "s2", "s3"}, kOk);
  check_sorted({"SMEMBERS", "s3"}, {"x", "y"});
  check({"COPY", "h", "h2"}, integer(1));
  check({"HSET", "h2", "only-in-copy", "1"}, integer(1));
  check({"HEXISTS", "h", "only-in-copy"}, integer(0));
  check({"HLEN", "h2"}, integer(3));
  check({"MOVE", "s3", "1"}, integer(1));
  check({"SCARD", "s3"}, integer(0));
  check({"SELECT", "1"}, kOk);
  check({"SCARD", "s3"}, integer(2));
  check({"SELECT", "0"}, kOk);
}

// ---------------------------------------------------------------------------------------------
// Differential: seeded random command sequences over a small key space.

enum class Compare { Exact, Sorted, SortedPairs, FullScan, RandomPick, Pop };

using Step = ComparedStep<Compare>;

class Generator : public SeededRandom {
 public:
  explicit Generator(uint64_t seed) : SeededRandom(seed) {}

  Step next() {
    using G = Generator;
    static const WeightedChoice<G, Step> table = {
        {8, &G::hset},    {3, &G::hsetnx},     {6, &G::hget},        {3, &G::hmget},
        {2, &G::hmset},   {3, &G::hgetall},    {5, &G::hdel},        {2, &G::hexists},
        {3, &G::hlen},    {2, &G::hkeys_vals}, {4, &G::hincrby},     {4, &G::hincrbyfloat},
        {2, &G::hstrlen}, {3, &G::hrandfield}, {2, &G::hscan},       {8, &G::sadd},
        {5, &G::srem},    {3, &G::smembers},   {3, &G::sismember},   {2, &G::smismember},
        {3, &G::scard},   {3, &G::spop},       {3, &G::srandmember}, {4, &G::smove},
        {4, &G::algebra}, {3, &G::store},      {2, &G::sintercard},  {2, &G::sscan},
        {2, &G::generic}};
    return table.next(*this);
  }

 private:
  std::string hkey() {
    static const Args mostly = {"h0", "h0", "h1", "h1", "h2"};
    static const Args other = {"s0", "str", "missing"};
    return chance(88) ? pick(mostly) : pick(other);
  }
  std::string skey() {
    static const Args mostly = {"s0", "s0", "s1", "s1", "s2", "s3"};
    static const Args other = {"h0", "str", "missing"};
    return chance(88) ? pick(mostly) : pick(other);
  }
  std::string field() {
    static const Args fields = {"f0", "f1", "f2", "f3", "f4", "f5", "n", "x", "", "1", "f 6"};
    return pick(fields);
  }
  std::string member() {
    static const Args members = {"a", "b", "c", "d", "e", "f", "g", "1", "2", "10", "-3", ""};
    return pick(members);
  }
  std::string value() {
    static const Args values = {"0",   "1",   "-5",  "42",  "9223372036854775807",
                                "1.5", "abc", "",    "3e2", "-9223372036854775808",
                                " 7",  "01",  "x y", "0.1", "1e308"};
    return chance(40) ? std::to_string(uniform(-20, 20)) : pick(values);
  }
  std::string count_arg() {
    static const Args odd = {"x", "-9223372036854775808", "9223372036854775807", "1.5", ""};
    return chance(92) ? std::to_string(uniform(-8, 8)) : pick(odd);
  }

  Step hset() {
    Args a = {chance(85) ? "HSET" : "hset", hkey()};
    for (int i = uniform(1, 3); i > 0; --i) {
      a.push_back(field());
      a.push_back(value());
    }
    if (chance(4)) a.pop_back();
    return {a};
  }
  Step hsetnx() { return {{"HSETNX", hkey(), field(), value()}}; }
  Step hget() { return {{"HGET", hkey(), field()}}; }
  Step hmget() {
    Args a = {"HMGET", hkey()};
    for (int i = uniform(1, 4); i > 0; --i) a.push_back(field());
    return {a};
  }
  Step hmset() {
    Step s = hset();
    s.args[0] = "HMSET";
    return s;
  }
  Step hgetall() { return {{"HGETALL", hkey()}, Compare::SortedPairs}; }
  Step hdel() {
    Args a = {"HDEL", hkey()};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(field());
    return {a};
  }
  Step hexists() { return {{"HEXISTS", hkey(), field()}}; }
  Step hlen() { return {{"HLEN", hkey()}}; }
  Step hkeys_vals() { return {{chance(50) ? "HKEYS" : "HVALS", hkey()}, Compare::Sorted}; }
  Step hincrby() {
    static const Args odd = {"9223372036854775807", "-9223372036854775808", "x", "1.0", ""};
    return {
        {"HINCRBY", hkey(), field(), chance(85) ? std::to_string(uniform(-10, 10)) : pick(odd)}};
  }
  Step hincrbyfloat() {
    static const Args deltas = {"1",   "-1",    "0.5",  "1.5",  "-0.25", "3.0e2", "1e-3",
                                "abc", "inf",   "10.0", "0.1",  "-1e2",  "5",     "0",
                                "",    "1e400", "-0.0", "0x10", "1e308", "-inf",  "nan"};
    return {{"HINCRBYFLOAT", hkey(), field(), pick(deltas)}};
  }
  Step hstrlen() { return {{"HSTRLEN", hkey(), field()}}; }
  Step hrandfield() {
    Args a = {"HRANDFIELD", hkey()};
    if (chance(75)) {
      a.push_back(count_arg());
      if (chance(40)) a.push_back(chance(90) ? "WITHVALUES" : "withscores");
    }
    return {a, Compare::RandomPick};
  }
  Step hscan() {
    Args a = {"HSCAN", hkey(), "0"};
    if (chance(40)) a.insert(a.end(), {"COUNT", std::to_string(uniform(1, 4))});
    if (chance(30)) a.insert(a.end(), {"MATCH", pick(Args{"f*", "?", "*", "f[0-2]"})});
    if (chance(5)) a.push_back("junk");
    return {a, Compare::FullScan};
  }
  Step sadd() {
    Args a = {"SADD", skey()};
    for (int i = uniform(1, 4); i > 0; --i) a.push_back(member());
    return {a};
  }
  Step srem() {
    Args a = {"SREM", skey()};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(member());
    return {a};
  }
  Step smembers() { return {{"SMEMBERS", skey()}, Compare::Sorted}; }
  Step sismember() { return {{"SISMEMBER", skey(), member()}}; }
  Step smismember() {
    Args a = {"SMISMEMBER", skey()};
    for (int i = uniform(1, 4); i > 0; --i) a.push_back(member());
    return {a};
  }
  Step scard() { return {{"SCARD", skey()}}; }
  Step spop() {
    Args a = {"SPOP", skey()};
    if (chance(60)) a.push_back(chance(90) ? std::to_string(uniform(0, 5)) : count_arg());
    if (chance(3)) a.push_back("1");
    return {a, Compare::Pop};
  }
  Step srandmember() {
    Args a = {"SRANDMEMBER", skey()};
    if (chance(75)) a.push_back(count_arg());
    return {a, Compare::RandomPick};
  }
  Step smove() { return {{"SMOVE", skey(), skey(), member()}}; }
  Step algebra() {
    Args a = {pick(Args{"SINTER", "SUNION", "SDIFF"})};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(skey());
    return {a, Compare::Sorted};
  }
  Step store() {
    Args a = {pick(Args{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), skey()};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(skey());
    return {a};
  }
  Step sintercard() {
    int n = uniform(1, 3);
    Args a = {"SINTERCARD", chance(92) ? std::to_string(n) : pick(Args{"0", "x", "9"})};
    for (int i = 0; i < n; ++i) a.push_back(skey());
    if (chance(40)) a.insert(a.end(), {"LIMIT", chance(90) ? std::to_string(uniform(0, 3)) : "-1"});
    return {a};
  }
  Step sscan() {
    Args a = {"SSCAN", skey(), "0"};
    if (chance(40)) a.insert(a.end(), {"COUNT", std::to_string(uniform(1, 4))});
    if (chance(30)) a.insert(a.end(), {"MATCH", pick(Args{"[a-c]", "1*", "*"})});
    return {a, Compare::FullScan};
  }
  Step generic() {
    switch (uniform(0, 5)) {
      case 0:
        return {{"DEL", chance(50) ? hkey() : skey()}};
      case 1:
        return {{"TYPE", chance(50) ? hkey() : skey()}};
      case 2:
        return {{"RENAME", chance(50) ? hkey() : skey(), chance(50) ? hkey() : skey()}};
      case 3:
        return {{"COPY", skey(), skey(), "REPLACE"}};
      case 4:
        return {{"SET", "str", value()}};
      default:
        return {{"EXISTS", hkey(), skey()}};
    }
  }
};

class Differential {
 public:
  // Runs one step on both servers; "" if they agree, else why not.
  std::string step(const Step& s) {
    if (s.compare == Compare::FullScan) {
      auto a = full_scan(servers_.ours(), s.args), b = full_scan(servers_.theirs(), s.args);
      return a == b ? "" : "full scans differ";
    }
    const ServerPair::Replies replies = servers_.send(s.args);
    const std::string &ours = replies.ours, &theirs = replies.theirs;
    if (ours == theirs) return "";
    auto why = [&](const std::string& what) { return describe_mismatch(what, ours, theirs); };
    const Reply a = parse_reply(ours), b = parse_reply(theirs);
    if (a.type != b.type || a.type == Reply::Error) return why("replies differ");
    switch (s.compare) {
      case Compare::Exact:
      case Compare::FullScan:
        return why("replies differ");
      case Compare::Sorted:
        return sorted(strings_of(ours)) == sorted(strings_of(theirs)) ? "" : why("sets differ");
      case Compare::SortedPairs:
        return sorted_pairs(strings_of(ours)) == sorted_pairs(strings_of(theirs))
                   ? ""
                   : why("hash contents differ");
      case Compare::RandomPick:
        return check_pick(s.args, a, b, why);
      case Compare::Pop:
        return sync_pop(s.args, a, b, why);
    }
    return why("replies differ");
  }

  // The whole data set, key by key (type and sorted contents) — "" if equal.
  std::string compare_datasets() {
    std::ostringstream diff;
    auto keys_a = sorted(strings_of(servers_.ours().command_raw({"KEYS", "*"})));
    auto keys_b = sorted(strings_of(servers_.theirs().command_raw({"KEYS", "*"})));
    if (keys_a != keys_b) diff << "key sets differ\n";
    for (const auto& k : keys_b) {
      std::string type = servers_.theirs().get_string({"TYPE", k});
      Args read = type == "hash"  ? Args{"HGETALL", k}
                  : type == "set" ? Args{"SMEMBERS", k}
                                  : Args{"GET", k};
      auto a = sorted(strings_of(servers_.ours().command_raw(read)));
      auto b = sorted(strings_of(servers_.theirs().command_raw(read)));
      if (servers_.ours().get_string({"TYPE", k}) != type || a != b ||
          (type == "hash" && servers_.ours().command_raw({"HLEN", k}) !=
                                 servers_.theirs().command_raw({"HLEN", k})) ||
          (type == "set" && servers_.ours().command_raw({"SCARD", k}) !=
                                servers_.theirs().command_raw({"SCARD", k})))
        diff << "key " << escape_bytes(k) << " (" << type << ") differs\n";
      if (type == "string" &&
          servers_.ours().command_raw({"GET", k}) != servers_.theirs().command_raw({"GET", k}))
        diff << "string " << escape_bytes(k) << " differs\n";
    }
    return diff.str();
  }

 private:
  template <class Why>
  std::string check_pick(const Args& args, const Reply& a, const Reply& b, Why why) {
    const std::string& key = args[1];
    bool hash = args[0] == "HRANDFIELD";
    if (a.type == Reply::Bulk) {  // one pick: must exist
      std::string raw = servers_.theirs().command_raw({hash ? "HEXISTS" : "SISMEMBER", key, a.str});
      return raw == integer(1) ? "" : why("the pick is not in the collection");
    }
    if (a.type != Reply::Array || a.elements.size() != b.elements.size())
      return why("different pick counts");
    bool with_values = hash && args.size() == 4;
    std::vector<std::string> names;
    for (size_t i = 0; i < a.elements.size(); i += with_values ? 2 : 1)
      names.push_back(a.elements[i].str);
    long long count = std::stoll(args[2]);
    if (count > 0 && std::set<std::string>(names.begin(), names.end()).size() != names.size())
      return why("a positive count picked something twice");
    for (size_t i = 0; i < names.size(); ++i) {
      if (with_values) {
        if (servers_.theirs().command_raw({"HGET", key, names[i]}) !=
            bulk(a.elements[2 * i + 1].str))
          return why("a picked field has the wrong value");
      } else if (servers_.theirs().command_raw({hash ? "HEXISTS" : "SISMEMBER", key, names[i]}) !=
                 integer(1)) {
        return why("a pick is not in the collection");
      }
    }
    return "";
  }

  // SPOP: same shape on both; then Redis is made to have popped what basalt popped.
  template <class Why>
  std::string sync_pop(const Args& args, const Reply& a, const Reply& b, Why why) {
    std::vector<std::string> ours, theirs;
    if (a.type == Reply::Bulk) {
      ours = {a.str};
      theirs = {b.str};
    } else if (a.type == Reply::Array && a.elements.size() == b.elements.size()) {
      for (const auto& e : a.elements) ours.push_back(e.str);
      for (const auto& e : b.elements) theirs.push_back(e.str);
    } else {
      return why("different pop shapes");
    }
    if (std::set<std::string>(ours.begin(), ours.end()).size() != ours.size())
      return why("popped a member twice");
    if (sorted(ours) == sorted(theirs)) return "";
    Args restore = {"SADD", args[1]}, remove = {"SREM", args[1]};
    restore.insert(restore.end(), theirs.begin(), theirs.end());
    remove.insert(remove.end(), ours.begin(), ours.end());
    servers_.theirs().command_raw(restore);
    std::string removed = servers_.theirs().command_raw(remove);
    if (removed != integer(static_cast<long long>(ours.size())))
      return why("basalt popped members the set did not have");
    return "";
  }

  ServerPair servers_;
};

constexpr int kCommandsPerSeed = 2000;

class HashesSetsDifferential : public ::testing::TestWithParam<uint64_t> {};

TEST_P(HashesSetsDifferential, RandomCommandsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  const uint64_t seed = GetParam();
  Differential d;
  Generator gen(seed);
  const auto t0 = Clock::now();
  auto next = [&] { return gen.next(); };
  auto check = [&](const Step& s) { return d.step(s); };
  auto datasets = [&] { return d.compare_datasets(); };
  const RandomRunResult run = RandomRun<Step>(seed, kCommandsPerSeed, next, check)
                                  .history(15)
                                  .checkpoint(500, datasets)
                                  .run();
  ASSERT_TRUE(run.matched()) << run.report;
  EXPECT_TRUE(d.compare_datasets().empty());
  EXPECT_GT(run.count("HSET"), kCommandsPerSeed / 40);
  EXPECT_GT(run.count("SPOP"), 0);
  EXPECT_LT(Clock::now() - t0, 40s) << "the differential run is too slow";
}

INSTANTIATE_TEST_SUITE_P(Seeds, HashesSetsDifferential, ::testing::Values(7u, 20240611u),
                         [](const ::testing::TestParamInfo<uint64_t>& info) {
                           return "seed" + std::to_string(info.param);
                         });

// ---------------------------------------------------------------------------------------------
// Digests

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}

TEST(HashesSetsDigest, SameDataInDifferentOrdersDigestsAlike) {
  BasaltServer a, b;
  a.start();
  b.start();
  RespClient ca = a.client(), cb = b.client();
  // a: fields and members added one by one, in order; b: in bulk, reversed, with detours
  // (a value overwritten, members added then removed, a counter incremented step by step).
  for (int i = 0; i < 50; ++i) {
    ca.command({"HSET", "h", "f" + std::to_string(i), "v" + std::to_string(i)});
    ca.command({"SADD", "s", "m" + std::to_string(i)});
  }
  ca.command({"HSET", "h", "counter", "10"});
  ca.command({"SADD", "other", "x"});
  Args hset = {"HSET", "h"}, sadd = {"SADD", "s"};
  for (int i = 49; i >= 0; --i) {
    hset.insert(hset.end(), {"f" + std::to_string(i), i == 7 ? "temp" : "v" + std::to_string(i)});
    sadd.push_back("m" + std::to_string(i));
  }
  cb.command({"SADD", "other", "x", "y"});
  cb.command({"SREM", "other", "y"});
  for (int i = 0; i < 10; ++i) cb.command({"HINCRBY", "h", "counter", "1"});
  cb.command(sadd);
  cb.command({"SADD", "s", "extra"});
  cb.command(hset);
  cb.command({"HSET", "h", "f7", "v7"});
  cb.command({"SREM", "s", "extra"});
  EXPECT_EQ(digest(ca), digest(cb));
  EXPECT_NE(digest(ca), std::string(40, '0'));
  // Any difference shows: one member more, or one value changed.
  cb.command({"SADD", "s", "extra"});
  EXPECT_NE(digest(ca), digest(cb));
  cb.command({"SREM", "s", "extra"});
  EXPECT_EQ(digest(ca), digest(cb));
  cb.command({"HSET", "h", "f3", "changed"});
  EXPECT_NE(digest(ca), digest(cb));
  // Same elements, other type: a set {a, b} is not a hash.
  ca.command({"DEL", "h", "s", "other"});
  cb.command({"DEL", "h", "s", "other"});
  ca.command({"SADD", "k", "a"});
  cb.command({"HSET", "k", "a", ""});
  EXPECT_NE(digest(ca), digest(cb));
}

// The random and order-dependent writes run on a master; its replica, applying the logged
// effects, ends with the same digest.
TEST(HashesSetsDigest, ReplicaOfRandomWritesDigestsAlike) {
  MasterAndReplica servers;
  RespClient m = servers.master.client(), r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  std::mt19937 rng(5);
  auto n = [&](int k) { return std::to_string(rng() % static_cast<unsigned>(k)); };
  std::string bytes;
  for (int i = 0; i < 3000; ++i) {
    std::string s = "s" + n(4), h = "h" + n(3), x = "m" + n(40);
    switch (rng() % 10) {
      case 0:
        bytes += encode_command({"SADD", s, x, "m" + n(40), "m" + n(40)});
        break;
      case 1:
        bytes += encode_command({"SPOP", s});
        break;
      case 2:
        bytes += encode_command({"SPOP", s, n(6)});
        break;
      case 3:
        bytes += encode_command({"HINCRBYFLOAT", h, x, "0." + n(10) + "1"});
        break;
      case 4:
        bytes += encode_command({"HSET", h, x, n(1000)});
        break;
      case 5:
        bytes += encode_command({"SMOVE", s, "s" + n(4), x});
        break;
      case 6:
        bytes += encode_command({"SINTERSTORE", "s" + n(4), s, "s" + n(4)});
        break;
      case 7:
        bytes += encode_command({"HDEL", h, x, "m" + n(40)});
        break;
      case 8:
        bytes += encode_command({"SUNIONSTORE", "s" + n(4), s, "s" + n(4)});
        break;
      default:
        bytes += encode_command({"HINCRBY", h, "count", n(5)});
        break;
    }
  }
  m.send_raw(bytes);
  for (int i = 0; i < 3000; ++i) {
    std::string reply = m.read_reply_raw();
    ASSERT_NE(reply[0], '-') << reply;
  }
  std::string want = digest(m);
  EXPECT_NE(want, std::string(40, '0'));
  EXPECT_TRUE(wait_until([&] { return digest(r) == want; }, 20s))
      << "master " << want << " replica " << digest(r);
}

// ---------------------------------------------------------------------------------------------
// Large collections

TEST(HashesSetsLarge, LargeHashAndSet) {
  BasaltServer server;
  server.start();
  RespClient c = server.client();
  constexpr int kElements = 100'000, kPerCommand = 500;
  std::string bytes;
  for (int start = 0; start < kElements; start += kPerCommand) {
    Args hset = {"HSET", "bigh"}, sadd = {"SADD", "bigs"};
    for (int i = start; i < start + kPerCommand; ++i) {
      hset.insert(hset.end(), {"field:" + std::to_string(i), std::to_string(i)});
      sadd.push_back("member:" + std::to_string(i));
    }
    bytes += encode_command(hset) + encode_command(sadd);
  }
  c.send_raw(bytes);
  for (int i = 0; i < 2 * kElements / kPerCommand; ++i)
    ASSERT_EQ(c.read_reply_raw(), integer(kPerCommand));
  EXPECT_EQ(c.get_integer({"HLEN", "bigh"}), kElements);
  EXPECT_EQ(c.get_integer({"SCARD", "bigs"}), kElements);
  EXPECT_EQ(c.command({"HGET", "bigh", "field:77777"}).str, "77777");
  EXPECT_EQ(c.get_integer({"SISMEMBER", "bigs", "member:99999"}), 1);
  // A full SSCAN sees every member once.
  std::set<std::string> seen;
  size_t returned = 0;
  Args scan = {"SSCAN", "bigs", "0", "COUNT", "1000"};
  do {
    Reply r = c.command(scan);
    for (const auto& e : r.elements.at(1).elements) seen.insert(e.str);
    returned += r.elements.at(1).elements.size();
    scan[2] = r.elements.at(0).str;
  } while (scan[2] != "0");
  EXPECT_EQ(seen.size(), static_cast<size_t>(kElements));
  EXPECT_EQ(returned, static_cast<size_t>(kElements));
  // Random picks and pops on a large set stay correct.
  EXPECT_EQ(strings_of(c.command_raw({"SRANDMEMBER", "bigs", "-20"})).size(), 20u);
  EXPECT_EQ(strings_of(c.command_raw({"SPOP", "bigs", "10"})).size(), 10u);
  EXPECT_EQ(c.get_integer({"SCARD", "bigs"}), kElements - 10);
  // Deleting, overwriting and expiring them is one metadata change each.
  auto t0 = Clock::now();
  EXPECT_EQ(c.get_integer({"DEL", "bigs"}), 1);
  EXPECT_EQ(c.command_raw({"SET", "bigh", "now a string"}), kOk);
  EXPECT_LT(Clock::now() - t0, 2s);
  EXPECT_EQ(c.get_integer({"EXISTS", "bigs"}), 0);
  EXPECT_EQ(c.command({"GET", "bigh"}).str, "now a string");
  EXPECT_EQ(c.command_raw({"SMEMBERS", "bigs"}), kEmpty);
}

// Hashes, sets and sorted sets thinned by deletions and then read whole are copied to a fresh
// version once those reads crossed enough tombstones (storage/types/walk_debt.h; INFO
// collection_copies): every read, point lookup and write before and after the copies agrees
// with Redis byte for byte, deleted elements stay deleted (the copy is complete in the element
// cache) and the copies are counted.
TEST(HashesSetsCopies, ThinnedCollectionsReadWholeAreCopiedAndMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  const long long copies_before = info_int(pair.ours(), "stats", "collection_copies");
  constexpr int kAdded = 1500, kDeleted = 1300;
  std::vector<Args> commands;
  for (int from = 0; from < kAdded; from += 100) {
    Args hset = {"HSET", "h"}, sadd = {"SADD", "s"}, zadd = {"ZADD", "z"};
    for (int i = from; i < from + 100; ++i) {
      const std::string n = std::to_string(i);
      hset.insert(hset.end(), {"f" + n, "v" + n});
      sadd.push_back("m" + n);
      zadd.insert(zadd.end(), {std::to_string(i % 37), "m" + n});
    }
    commands.insert(commands.end(), {hset, sadd, zadd});
  }
  for (int from = 0; from < kDeleted; from += 50) {
    Args hdel = {"HDEL", "h"}, srem = {"SREM", "s"}, zrem = {"ZREM", "z"};
    for (int i = from; i < from + 50; ++i) {
      const std::string n = std::to_string((i * 7) % kAdded);  // spread over the key space
      hdel.push_back("f" + n);
      srem.push_back("m" + n);
      zrem.push_back("m" + n);
    }
    commands.insert(commands.end(), {hdel, srem, zrem});
  }
  EXPECT_EQ(pair.same_all(commands), "");
  auto sorted_reply = [](const std::string& ours, const std::string& theirs) -> std::string {
    return sorted(strings_of(ours)) == sorted(strings_of(theirs)) ? "" : "elements differ";
  };
  for (int round = 0; round < 4; ++round) {
    const std::string n = std::to_string(kAdded + round);
    EXPECT_EQ(pair.check({"HGETALL", "h"}, sorted_reply), "") << round;
    EXPECT_EQ(pair.check({"SMEMBERS", "s"}, sorted_reply), "") << round;
    EXPECT_EQ(pair.same({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), "") << round;
    EXPECT_EQ(pair.same_all({{"HSET", "h", "f" + n, "new"},
                             {"SADD", "s", "m" + n},
                             {"ZADD", "z", "5", "m" + n},
                             {"HGET", "h", "f7"},
                             {"HGET", "h", "f1499"},
                             {"SISMEMBER", "s", "m7"},
                             {"SISMEMBER", "s", "m1499"},
                             {"ZSCORE", "z", "m7"},
                             {"ZSCORE", "z", "m1499"},
                             {"HLEN", "h"},
                             {"SCARD", "s"},
                             {"ZCARD", "z"}}),
              "")
        << round;
  }
  // Each collection was copied (its walks crossed 1,300 tombstones or more per read).
  EXPECT_GE(info_int(pair.ours(), "stats", "collection_copies") - copies_before, 3);
  // After the copies: deleting and re-adding elements still agrees, and so does a full scan.
  EXPECT_EQ(pair.same_all({{"HDEL", "h", "f1499", "f7"},
                           {"SREM", "s", "m1499", "m7"},
                           {"ZREM", "z", "m1499", "m7"},
                           {"HSET", "h", "f7", "back"},
                           {"SADD", "s", "m7"},
                           {"ZADD", "z", "1", "m7"},
                           {"HGET", "h", "f7"},
                           {"SISMEMBER", "s", "m1499"},
                           {"ZRANGE", "z", "0", "-1", "WITHSCORES"}}),
            "");
  EXPECT_EQ(full_scan(pair.ours(), {"HSCAN", "h", "0"}),
            full_scan(pair.theirs(), {"HSCAN", "h", "0"}));
  EXPECT_EQ(full_scan(pair.ours(), {"SSCAN", "s", "0"}),
            full_scan(pair.theirs(), {"SSCAN", "s", "0"}));
}

}  // namespace
}  // namespace basalt::test
