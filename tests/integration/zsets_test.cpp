// tests/integration/zsets_test.cpp — end-to-end checks of basalt's sorted set commands:
//  - Zsets.*: every command's replies and errors asserted byte for byte as Redis 7.0 sends
//    them (checked against Debian's redis-server 7.0.15; re-check with
//    BASALT_TEST_BINARY=/usr/bin/redis-server basalt_integration_tests --gtest_filter='Zsets.*');
//    Blocking pops are among them: BZPOPMIN / BZPOPMAX timing out, woken by another
//    client's ZADD or ZUNIONSTORE, FIFO among waiters, several keys, writes to other keys or
//    of other types leaving the waiter blocked, and a closed waiter never served;
//  - ZsetsDifferential.*: seeded, bounded random command sequences sent to basalt and to the
//    real Redis, replies compared byte for byte (ZRANDMEMBER by shape, ZSCAN as a sorted set),
//    and pipelined batches of pops that read ahead mixed with every other kind of change;
//  - ZsetsReplication.*: a replica applying the log of pops (also blocking pops served after a
//    wait) reaches the master's DEBUG DIGEST;
//  - ZsetsLarge.*: a 200,000-member set answers rank and score queries at its middle
//    quickly and is deleted at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/server_fixture.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Expected-reply builders (RESP2 bytes).

std::string min_max_float() {
  return err("ERR min or max is not a float");
}
std::string min_max_lex() {
  return err("ERR min or max not valid string range item");
}

// ---------------------------------------------------------------------------------------------
// Fixture: one server per suite, an empty data set and a fresh client per test (BasaltSuite).

class Zsets : public BasaltSuite {};

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY and score formatting

TEST_F(Zsets, ZaddBasicsAndReplies) {
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), integer(3));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "5", "b", "4", "d"}), integer(1));  // only d is new
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            bulks({"a", "1", "c", "3", "d", "4", "b", "5"}));
  EXPECT_EQ(run({"ZADD", "z", "CH", "1", "a", "6", "b", "7", "e"}),
            integer(2));  // b changed, e new
  // The same member twice in one call: added once, then updated.
  EXPECT_EQ(run({"ZADD", "y", "1", "m", "2", "m"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "y", "m"}), bulk("2"));
  EXPECT_EQ(run({"ZCARD", "y"}), integer(1));
  EXPECT_EQ(run({"TYPE", "y"}), "+zset\r\n");
}

TEST_F(Zsets, ZaddOptions) {
  EXPECT_EQ(run({"ZADD", "z", "XX", "1", "a"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));  // XX on a missing key creates nothing
  EXPECT_EQ(run({"ZADD", "z", "NX", "1", "a"}), integer(1));
  EXPECT_EQ(run({"ZADD", "z", "NX", "5", "a", "2", "b"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("1"));
  EXPECT_EQ(run({"ZADD", "z", "XX", "CH", "3", "a", "9", "new"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "new"}), nil());
  EXPECT_EQ(run({"ZADD", "z", "GT", "CH", "2", "a", "10", "b"}), integer(1));  // a: 2 < 3
  EXPECT_EQ(run({"ZMSCORE", "z", "a", "b"}), bulks({"3", "10"}));
  EXPECT_EQ(run({"ZADD", "z", "LT", "CH", "1", "a", "11", "b", "0", "c"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), bulks({"c", "0", "a", "1", "b", "10"}));
  EXPECT_EQ(run({"ZADD", "z", "xx", "gt", "ch", "20", "b", "1", "zz"}), integer(1));
  // INCR
  EXPECT_EQ(run({"ZADD", "z", "INCR", "2.5", "a"}), bulk("3.5"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "NX", "1", "a"}), nil());
  EXPECT_EQ(run({"ZADD", "z", "INCR", "XX", "1", "missing"}), nil());
  EXPECT_EQ(run({"ZADD", "z", "INCR", "GT", "-1", "a"}), nil());
  EXPECT_EQ(run({"ZADD", "z", "INCR", "LT", "-1", "a"}), bulk("2.5"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "0", "a"}), bulk("2.5"));
  // Errors
  EXPECT_EQ(run({"ZADD", "z", "XX", "NX", "1", "a"}),
            err("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "GT", "LT", "1", "a"}),
            err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "GT", "NX", "1", "a"}),
            err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            err("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2"}), syntax_error());
  EXPECT_EQ(run({"ZADD", "z", "NX", "1"}), syntax_error());
  EXPECT_EQ(run({"ZADD", "z", "foo", "1", "a"}), syntax_error());
  EXPECT_EQ(run({"ZADD", "z", "1"}), wrong_args("zadd"));
  EXPECT_EQ(run({"ZADD", "z", "ch"}), wrong_args("zadd"));
  EXPECT_EQ(run({"ZADD", "z", "nan", "a"}), not_float());
  EXPECT_EQ(run({"ZADD", "z", "1", "ok", "x", "bad"}), not_float());
  EXPECT_EQ(run({"ZSCORE", "z", "ok"}), nil());  // nothing of a failed ZADD is applied
  EXPECT_EQ(run({"ZADD", "z", " 1", "a"}), not_float());
  EXPECT_EQ(run({"ZADD", "z", "", "a"}), not_float());
}

TEST_F(Zsets, ScoresAreFormattedAsRedis) {
  EXPECT_EQ(run({"ZADD", "z",     "1.1",  "a",   "0.1", "b",    "1e17", "c",   "123456789012345678",
                 "d",    "-1e-5", "e",    "inf", "f",   "-inf", "g",    "3.0", "h",
                 "1.5",  "i",     "0x10", "j"}),
            integer(10));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), bulks({"g", "-inf",
                                                                  "e", "-1.0000000000000001e-05",
                                                                  "b", "0.10000000000000001",
                                                                  "a", "1.1000000000000001",
                                                                  "i", "1.5",
                                                                  "h", "3",
                                                                  "j", "16",
                                                                  "c", "1e+17",
                                                                  "d", "1.2345678901234568e+17",
                                                                  "f", "inf"}));
  // -0 is stored as 0 (as Redis's compact encoding does), ordered with 0 by member.
  EXPECT_EQ(run({"ZADD", "n", "-0", "b", "0", "a", "-0.0", "c"}), integer(3));
  EXPECT_EQ(run({"ZRANGE", "n", "0", "-1", "WITHSCORES"}), bulks({"a", "0", "b", "0", "c", "0"}));
  EXPECT_EQ(run({"ZSCORE", "n", "b"}), bulk("0"));
  // A fresh member's INCR reply is the increment itself, -0 included.
  EXPECT_EQ(run({"ZINCRBY", "n", "-0", "d"}), bulk("-0"));
  EXPECT_EQ(run({"ZSCORE", "n", "d"}), bulk("0"));
  EXPECT_EQ(run({"ZINCRBY", "n", "-0", "a"}), bulk("0"));
  EXPECT_EQ(run({"ZADD", "n", "1", "m"}), integer(1));
  EXPECT_EQ(run({"ZINCRBY", "n", "-1", "m"}), bulk("0"));
  // ZSCAN returns a small set's scores as Redis keeps them: integers where they fit.
  EXPECT_EQ(run({"ZADD", "s", "1e17", "a", "2.5", "b", "inf", "c"}), integer(3));
  Reply scan = c().command({"ZSCAN", "s", "0"});
  ASSERT_EQ(scan.type, Reply::Array);
  ASSERT_EQ(scan.elements.size(), 2u);
  EXPECT_TRUE(scan.elements[0].is_bulk("0"));
  std::map<std::string, std::string> pairs;
  for (size_t i = 0; i + 1 < scan.elements[1].elements.size(); i += 2)
    pairs[scan.elements[1].elements[i].str] = scan.elements[1].elements[i + 1].str;
  EXPECT_EQ(pairs, (std::map<std::string, std::string>{
                       {"a", "100000000000000000"}, {"b", "2.5"}, {"c", "inf"}}));
}

TEST_F(Zsets, Zincrby) {
  EXPECT_EQ(run({"ZINCRBY", "z", "2", "a"}), bulk("2"));
  EXPECT_EQ(run({"ZINCRBY", "z", "-0.5", "a"}), bulk("1.5"));
  EXPECT_EQ(run({"ZINCRBY", "z", "x", "a"}), not_float());
  EXPECT_EQ(run({"ZINCRBY", "z", "inf", "a"}), bulk("inf"));
  EXPECT_EQ(run({"ZINCRBY", "z", "-inf", "a"}), err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("inf"));
  EXPECT_EQ(run({"ZINCRBY", "z", "1"}), wrong_args("zincrby"));
}

TEST_F(Zsets, ZremZcardZscoreZmscore) {
  EXPECT_EQ(run({"ZCARD", "z"}), integer(0));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), nil());
  EXPECT_EQ(run({"ZMSCORE", "z", "a", "b"}), array({nil(), nil()}));
  EXPECT_EQ(run({"ZREM", "z", "a"}), integer(0));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), integer(3));
  EXPECT_EQ(run({"ZMSCORE", "z", "a", "nope", "c"}), array({bulk("1"), nil(), bulk("3")}));
  EXPECT_EQ(run({"ZREM", "z", "a", "nope", "a"}), integer(1));
  EXPECT_EQ(run({"ZCARD", "z"}), integer(2));
  EXPECT_EQ(run({"ZREM", "z", "b", "c"}), integer(2));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));  // emptied: removed
  EXPECT_EQ(run({"ZREM", "z"}), wrong_args("zrem"));
  EXPECT_EQ(run({"ZMSCORE", "z"}), wrong_args("zmscore"));
}

TEST_F(Zsets, WrongTypeEverywhere) {
  ASSERT_EQ(run({"SET", "s", "x"}), ok());
  for (const Args& args : std::vector<Args>{{"ZADD", "s", "1", "a"},
                                            {"ZINCRBY", "s", "1", "a"},
                                            {"ZREM", "s", "a"},
                                            {"ZCARD", "s"},
                                            {"ZSCORE", "s", "a"},
                                            {"ZMSCORE", "s", "a"},
                                            {"ZRANK", "s", "a"},
                                            {"ZREVRANK", "s", "a"},
                                            {"ZCOUNT", "s", "0", "1"},
                                            {"ZLEXCOUNT", "s", "-", "+"},
                                            {"ZRANGE", "s", "0", "-1"},
                                            {"ZRANGEBYSCORE", "s", "0", "1"},
                                            {"ZREVRANGEBYSCORE", "s", "1", "0"},
                                            {"ZRANGEBYLEX", "s", "-", "+"},
                                            {"ZREVRANGEBYLEX", "s", "+", "-"},
                                            {"ZREVRANGE", "s", "0", "1"},
                                            {"ZRANGESTORE", "d", "s", "0", "1"},
                                            {"ZREMRANGEBYRANK", "s", "0", "1"},
                                            {"ZREMRANGEBYSCORE", "s", "0", "1"},
                                            {"ZREMRANGEBYLEX", "s", "-", "+"},
                                            {"ZPOPMIN", "s"},
                                            {"ZPOPMAX", "s", "2"},
                                            {"BZPOPMIN", "s", "0"},
                                            {"BZPOPMAX", "nokey", "s", "0"},
                                            {"ZUNIONSTORE", "d", "1", "s"},
                                            {"ZINTERSTORE", "d", "1", "s"},
                                            {"ZRANDMEMBER", "s"},
                                            {"ZRANDMEMBER", "s", "2"},
                                            {"ZSCAN", "s", "0"}}) {
    EXPECT_EQ(run(args), wrong_type()) << render_command(args);
  }
  // Errors in the arguments come before the type check where Redis checks them first.
  EXPECT_EQ(run({"ZADD", "s", "x", "a"}), not_float());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "s", "x", "1"}), min_max_float());
  EXPECT_EQ(run({"ZPOPMIN", "s", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZPOPMIN", "s", "0"}), wrong_type());  // a count of 0 after the type check
  EXPECT_EQ(run({"GET", "s"}), bulk("x"));
}

// ---------------------------------------------------------------------------------------------
// Ranges

class ZsetsRanges : public Zsets {
 protected:
  void SetUp() override {
    Zsets::SetUp();
    ASSERT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}), integer(5));
  }
};

TEST_F(ZsetsRanges, ByRank) {
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1"}), bulks({"a", "b", "c", "d", "e"}));
  EXPECT_EQ(run({"ZRANGE", "z", "1", "2", "WITHSCORES"}), bulks({"b", "2", "c", "3"}));
  EXPECT_EQ(run({"ZRANGE", "z", "-2", "-1"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"ZRANGE", "z", "-100", "1"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"ZRANGE", "z", "3", "100"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"ZRANGE", "z", "3", "1"}), empty());
  EXPECT_EQ(run({"ZRANGE", "z", "5", "10"}), empty());
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "REV"}), bulks({"e", "d"}));
  EXPECT_EQ(run({"ZREVRANGE", "z", "0", "1", "WITHSCORES"}), bulks({"e", "5", "d", "4"}));
  EXPECT_EQ(run({"ZREVRANGE", "z", "-1", "-1"}), bulks({"a"}));
  EXPECT_EQ(run({"ZRANGE", "nokey", "0", "-1"}), empty());
  EXPECT_EQ(run({"ZRANGE", "z", "x", "1"}), not_integer());
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                "or BYLEX"));
  // Redis 7.0 only refuses a LIMIT with a count other than -1.
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "LIMIT", "5", "-1"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "REV", "REV"}), syntax_error());
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}), syntax_error());
  EXPECT_EQ(run({"ZREVRANGE", "z", "0", "1", "REV"}), syntax_error());
  EXPECT_EQ(run({"ZRANGE", "z", "0"}), wrong_args("zrange"));
}

TEST_F(ZsetsRanges, ByScore) {
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "2", "4"}), bulks({"b", "c", "d"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "(2", "(4", "WITHSCORES"}), bulks({"c", "3"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "1", "-1"}),
            bulks({"b", "c", "d", "e"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "-1", "5"}), empty());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "5", "-1"}), empty());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "4", "0"}), empty());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "0", "1", "LIMIT", "1", "1"}),
            bulks({"b"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "4", "2"}), empty());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "(3", "3"}), empty());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "", ""}), empty());  // strtod: "" is 0
  EXPECT_EQ(run({"ZREVRANGEBYSCORE", "z", "4", "(2", "WITHSCORES"}), bulks({"d", "4", "c", "3"}));
  EXPECT_EQ(run({"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "2"}), bulks({"d", "c"}));
  EXPECT_EQ(run({"ZRANGE", "z", "(4", "2", "BYSCORE", "REV"}), bulks({"c", "b"}));
  EXPECT_EQ(run({"ZRANGE", "z", "2", "10", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"}),
            bulks({"c", "3", "d", "4"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "x", "1"}), min_max_float());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "1", "nan"}), min_max_float());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "[1", "2"}), min_max_float());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "0", "10", "REV"}), syntax_error());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "0", "10", "LIMIT", "0"}), syntax_error());
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "0", "10", "LIMIT", "x", "1"}), not_integer());
  EXPECT_EQ(run({"ZCOUNT", "z", "2", "4"}), integer(3));
  EXPECT_EQ(run({"ZCOUNT", "z", "(2", "+inf"}), integer(3));
  EXPECT_EQ(run({"ZCOUNT", "z", "5", "1"}), integer(0));
  EXPECT_EQ(run({"ZCOUNT", "nokey", "-inf", "inf"}), integer(0));
  EXPECT_EQ(run({"ZCOUNT", "z", "a", "1"}), min_max_float());
}

TEST_F(ZsetsRanges, ByLex) {
  ASSERT_EQ(run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ee"}),
            integer(6));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "-", "+"}), bulks({"a", "b", "c", "d", "e", "ee"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "[b", "(d"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "(b", "[e"}), bulks({"c", "d", "e"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "[e", "+"}), bulks({"e", "ee"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "2"}), bulks({"c", "d"}));
  EXPECT_EQ(run({"ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2"}), bulks({"e", "d"}));
  EXPECT_EQ(run({"ZREVRANGEBYLEX", "l", "(d", "[b"}), bulks({"c", "b"}));
  EXPECT_EQ(run({"ZRANGE", "l", "[d", "[b", "BYLEX", "REV"}), bulks({"d", "c", "b"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "+", "-"}), empty());
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "[c", "(c"}), empty());
  EXPECT_EQ(run({"ZLEXCOUNT", "l", "[b", "[d"}), integer(3));
  EXPECT_EQ(run({"ZLEXCOUNT", "l", "-", "+"}), integer(6));
  EXPECT_EQ(run({"ZLEXCOUNT", "nokey", "-", "+"}), integer(0));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "a", "[b"}), min_max_lex());
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "", "+"}), min_max_lex());
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "-x", "+"}), min_max_lex());
  EXPECT_EQ(run({"ZLEXCOUNT", "l", "[a", "b"}), min_max_lex());
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"}),
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(run({"ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"}),
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  // With mixed scores the walk is Redis's: in score order, from the first member >= min,
  // while members <= max.
  EXPECT_EQ(run({"ZRANGEBYLEX", "z", "[b", "[d"}), bulks({"b", "c", "d"}));
  ASSERT_EQ(run({"ZADD", "m", "1", "c", "2", "a", "3", "d", "4", "b"}), integer(4));
  EXPECT_EQ(run({"ZRANGEBYLEX", "m", "[b", "+"}), bulks({"c", "a", "d", "b"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "m", "[b", "[c"}), bulks({"c", "a"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "m", "[d", "+"}), empty());  // the last member "b" is < d
  EXPECT_EQ(run({"ZRANGEBYLEX", "m", "(b", "+"}), empty());  // the last member "b" is not > b
  EXPECT_EQ(run({"ZREVRANGEBYLEX", "m", "[c", "-"}), bulks({"b", "d", "a", "c"}));
  EXPECT_EQ(run({"ZLEXCOUNT", "m", "[a", "[c"}), integer(2));
}

TEST_F(ZsetsRanges, Zrangestore) {
  EXPECT_EQ(run({"ZRANGESTORE", "d", "z", "1", "2"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), bulks({"b", "2", "c", "3"}));
  EXPECT_EQ(run({"ZRANGESTORE", "d", "z", "(4", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"}),
            integer(2));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), bulks({"b", "2", "c", "3"}));
  ASSERT_EQ(run({"SET", "s", "x"}), ok());
  EXPECT_EQ(run({"ZRANGESTORE", "s", "z", "0", "0"}), integer(1));  // any type is replaced
  EXPECT_EQ(run({"TYPE", "s"}), "+zset\r\n");
  EXPECT_EQ(run({"ZRANGESTORE", "d", "nokey", "0", "-1"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "d"}), integer(0));  // an empty result deletes the destination
  EXPECT_EQ(run({"ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"}), syntax_error());
  EXPECT_EQ(run({"ZRANGESTORE", "d", "z", "x", "y", "BYLEX"}), min_max_lex());
}

TEST_F(ZsetsRanges, RanksAndRemovals) {
  EXPECT_EQ(run({"ZRANK", "z", "a"}), integer(0));
  EXPECT_EQ(run({"ZRANK", "z", "d"}), integer(3));
  EXPECT_EQ(run({"ZREVRANK", "z", "d"}), integer(1));
  EXPECT_EQ(run({"ZREVRANK", "z", "a"}), integer(4));
  EXPECT_EQ(run({"ZRANK", "z", "nope"}), nil());
  EXPECT_EQ(run({"ZRANK", "nokey", "a"}), nil());
  EXPECT_EQ(run({"ZRANK", "z", "a", "WITHSCORE"}), wrong_args("zrank"));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "x", "1"}), not_integer());
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", "z", "x", "1"}), min_max_float());
  EXPECT_EQ(run({"ZREMRANGEBYLEX", "z", "x", "1"}), min_max_lex());
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "3", "1"}), integer(0));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "-1", "-1"}), integer(1));
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", "z", "(1", "3"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1"}), bulks({"a", "d"}));
  EXPECT_EQ(run({"ZREMRANGEBYLEX", "z", "-", "[a"}), integer(1));
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", "z", "-inf", "+inf"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "0", "-1"}), integer(0));
  ASSERT_EQ(run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}), integer(5));
  EXPECT_EQ(run({"ZREMRANGEBYLEX", "l", "(b", "[d"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "l", "0", "-1"}), bulks({"a", "b", "e"}));
}

TEST_F(ZsetsRanges, KeepsTtlOnChange) {
  ASSERT_EQ(run({"EXPIRE", "z", "100"}), integer(1));
  EXPECT_EQ(run({"ZADD", "z", "9", "x"}), integer(1));
  EXPECT_EQ(run({"ZREM", "z", "a"}), integer(1));
  EXPECT_EQ(run({"ZPOPMIN", "z"}), bulks({"b", "2"}));
  EXPECT_GT(c().get_integer({"TTL", "z"}), 0);
}

// ---------------------------------------------------------------------------------------------
// Pops, random members, scan

TEST_F(Zsets, ZpopminZpopmax) {
  EXPECT_EQ(run({"ZPOPMIN", "z"}), empty());
  ASSERT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}), integer(4));
  EXPECT_EQ(run({"ZPOPMIN", "z"}), bulks({"a", "1"}));
  EXPECT_EQ(run({"ZPOPMAX", "z"}), bulks({"d", "4"}));
  EXPECT_EQ(run({"ZPOPMAX", "z", "5"}), bulks({"c", "3", "b", "2"}));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(run({"ZPOPMIN", "z", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZPOPMIN", "z", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZPOPMIN", "z", "0"}), empty());
  EXPECT_EQ(run({"ZPOPMIN", "z", "1", "2"}), syntax_error());
}

TEST_F(Zsets, BlockingPopArguments) {
  ASSERT_EQ(run({"ZADD", "z", "1", "a", "2", "b"}), integer(2));
  EXPECT_EQ(run({"BZPOPMIN", "z", "0"}), bulks({"z", "a", "1"}));
  EXPECT_EQ(run({"BZPOPMAX", "nokey", "z", "0"}), bulks({"z", "b", "2"}));
  EXPECT_EQ(run({"BZPOPMIN", "z", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BZPOPMIN", "z", "x"}), err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(run({"BZPOPMIN", "z"}), wrong_args("bzpopmin"));
  // Redis 7.0 converts milliseconds beyond the long long range to a negative number.
  EXPECT_EQ(run({"BZPOPMIN", "z", "inf"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BZPOPMIN", "z", "9223372036854776"}), err("ERR timeout is negative"));
}

TEST_F(Zsets, Zrandmember) {
  EXPECT_EQ(run({"ZRANDMEMBER", "z"}), nil());
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "3"}), empty());
  ASSERT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), integer(3));
  Reply one = c().command({"ZRANDMEMBER", "z"});
  ASSERT_EQ(one.type, Reply::Bulk);
  EXPECT_TRUE(one.str == "a" || one.str == "b" || one.str == "c");
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "0"}), empty());
  std::map<std::string, std::string> scores = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  for (int count : {1, 2, 3, 5, -1, -7}) {
    Reply r = c().command({"ZRANDMEMBER", "z", std::to_string(count), "WITHSCORES"});
    ASSERT_EQ(r.type, Reply::Array);
    size_t expected =
        count > 0 ? std::min<size_t>(3, static_cast<size_t>(count)) : static_cast<size_t>(-count);
    ASSERT_EQ(r.elements.size(), expected * 2) << count;
    std::set<std::string> seen;
    for (size_t i = 0; i < r.elements.size(); i += 2) {
      ASSERT_TRUE(scores.count(r.elements[i].str)) << r.to_string();
      EXPECT_EQ(r.elements[i + 1].str, scores[r.elements[i].str]);
      seen.insert(r.elements[i].str);
    }
    if (count > 0) {
      EXPECT_EQ(seen.size(), expected);  // distinct
    }
  }
  // Repeats are drawn from every member.
  std::set<std::string> drawn;
  for (int i = 0; i < 20 && drawn.size() < 3; ++i) {
    for (const auto& m : c().get_strings({"ZRANDMEMBER", "z", "-10"})) drawn.insert(m);
  }
  EXPECT_EQ(drawn.size(), 3u);
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "1", "foo"}), syntax_error());
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"}), syntax_error());
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "x"}), not_integer());
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"}),
            err("ERR value is out of range"));
}

TEST_F(Zsets, ZscanVisitsEveryMember) {
  std::map<std::string, std::string> expected;
  Args zadd = {"ZADD", "z"};
  for (int i = 0; i < 300; ++i) {
    zadd.push_back(std::to_string(i % 17) + ".5");
    zadd.push_back("m" + std::to_string(i));
    expected["m" + std::to_string(i)] = std::to_string(i % 17) + ".5";
  }
  ASSERT_EQ(run(zadd), integer(300));
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    Reply r = c().command({"ZSCAN", "z", cursor, "COUNT", "7"});
    ASSERT_EQ(r.type, Reply::Array);
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].str;
    const auto& items = r.elements[1].elements;
    ASSERT_EQ(items.size() % 2, 0u);
    for (size_t i = 0; i < items.size(); i += 2) seen[items[i].str] = items[i + 1].str;
    ASSERT_LT(++rounds, 1000);
  } while (cursor != "0");
  EXPECT_EQ(seen, expected);
  Reply matched = c().command({"ZSCAN", "z", "0", "MATCH", "m29*", "COUNT", "1000"});
  ASSERT_EQ(matched.elements.size(), 2u);
  EXPECT_EQ(matched.elements[1].elements.size(), 2u * 11);  // m29, m290..m299
  EXPECT_EQ(run({"ZSCAN", "nokey", "0"}), array({bulk("0"), empty()}));
  EXPECT_EQ(run({"ZSCAN", "z", "x"}), err("ERR invalid cursor"));
  EXPECT_EQ(run({"ZSCAN", "z", "0", "COUNT", "0"}), syntax_error());
}

// ---------------------------------------------------------------------------------------------
// Algebra

TEST_F(Zsets, UnionAndIntersection) {
  ASSERT_EQ(run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}), integer(4));
  ASSERT_EQ(run({"SADD", "s", "a", "b", "x"}), integer(3));
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "2", "z", "s"}), integer(5));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            bulks({"x", "1", "a", "2", "b", "3", "c", "3", "d", "4"}));
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "2", "z", "s", "AGGREGATE", "MIN", "WEIGHTS", "1", "2"}),
            integer(5));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            bulks({"a", "1", "b", "2", "x", "2", "c", "3", "d", "4"}));
  EXPECT_EQ(run({"ZINTERSTORE", "d", "2", "z", "s", "AGGREGATE", "MAX"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), bulks({"a", "1", "b", "2"}));
  EXPECT_EQ(run({"ZINTERSTORE", "d", "2", "z", "s", "WEIGHTS", "0.5", "-1"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), bulks({"a", "-0.5", "b", "0"}));
  EXPECT_EQ(run({"ZUNION", "2", "z", "s", "WEIGHTS", "2", "-1", "WITHSCORES"}),
            bulks({"x", "-1", "a", "1", "b", "3", "c", "6", "d", "8"}));
  // NaN from inf * 0 or inf + -inf becomes 0.
  ASSERT_EQ(run({"ZADD", "i", "inf", "a", "-inf", "b"}), integer(2));
  EXPECT_EQ(run({"ZUNION", "2", "i", "i", "WEIGHTS", "1", "-1", "WITHSCORES"}),
            bulks({"a", "0", "b", "0"}));
  EXPECT_EQ(run({"ZUNION", "1", "i", "WEIGHTS", "0", "WITHSCORES"}), bulks({"a", "0", "b", "0"}));
  EXPECT_EQ(run({"ZINTER", "2", "z", "s", "WITHSCORES"}), bulks({"a", "2", "b", "3"}));
  EXPECT_EQ(run({"ZINTER", "2", "z", "nokey"}), empty());
  EXPECT_EQ(run({"ZINTERCARD", "2", "z", "s"}), integer(2));
  EXPECT_EQ(run({"ZINTERCARD", "2", "z", "s", "LIMIT", "1"}), integer(1));
  EXPECT_EQ(run({"ZINTERCARD", "1", "z", "LIMIT", "-1"}), err("ERR LIMIT can't be negative"));
  EXPECT_EQ(run({"ZDIFF", "2", "z", "s", "WITHSCORES"}), bulks({"c", "3", "d", "4"}));
  EXPECT_EQ(run({"ZDIFFSTORE", "d", "2", "z", "s"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1"}), bulks({"c", "d"}));
  // An empty result deletes the destination, whatever it held.
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "2", "nokey1", "nokey2"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "d"}), integer(0));
  ASSERT_EQ(run({"SET", "str", "v"}), ok());
  EXPECT_EQ(run({"ZUNIONSTORE", "str", "1", "z"}), integer(4));
  EXPECT_EQ(run({"TYPE", "str"}), "+zset\r\n");
  // The destination may be an input.
  EXPECT_EQ(run({"ZUNIONSTORE", "z", "2", "z", "z"}), integer(4));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            bulks({"a", "2", "b", "4", "c", "6", "d", "8"}));
  // Errors
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "0", "z"}),
            err("ERR at least 1 input key is needed for 'zunionstore' command"));
  EXPECT_EQ(run({"ZINTERSTORE", "d", "-1", "z"}),
            err("ERR at least 1 input key is needed for 'zinterstore' command"));
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "2", "z"}), syntax_error());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "x", "z"}), not_integer());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1", "z", "WEIGHTS", "x"}),
            err("ERR weight value is not a float"));
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1", "z", "WEIGHTS", "1", "2"}), syntax_error());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1", "z", "AGGREGATE", "foo"}), syntax_error());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1", "z", "WITHSCORES"}), syntax_error());
  EXPECT_EQ(run({"ZDIFF", "1", "z", "WEIGHTS", "1"}), syntax_error());
  ASSERT_EQ(run({"SET", "str", "v"}), ok());
  EXPECT_EQ(run({"ZUNION", "2", "z", "str"}), wrong_type());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1", "z", "AGGREGATE"}), syntax_error());
  EXPECT_EQ(run({"ZUNIONSTORE", "d", "1"}), wrong_args("zunionstore"));
}

// ---------------------------------------------------------------------------------------------
// Blocking pops

TEST_F(Zsets, BlockingPopTimesOutWithNilArray) {
  auto w = other();
  auto start = Clock::now();
  EXPECT_EQ(w.command_raw({"BZPOPMIN", "z1", "z2", "0.2"}), nil_array());
  EXPECT_GE(Clock::now() - start, 190ms);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(blocked_clients(), 0);
  // The connection is usable afterwards.
  EXPECT_EQ(w.command_raw({"PING"}), "+PONG\r\n");
}

TEST_F(Zsets, BlockingPopIsWokenByZadd) {
  auto w = other();
  w.send_command({"BZPOPMAX", "z", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2", "b"}), integer(2));
  EXPECT_EQ(w.read_reply_raw(), bulks({"z", "b", "2"}));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1"}), bulks({"a"}));
  EXPECT_EQ(blocked_clients(), 0);
  // Woken by a store command creating the key, on the second of its keys.
  w.send_command({"BZPOPMIN", "x", "y", "0"});
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  EXPECT_EQ(run({"ZUNIONSTORE", "y", "1", "z"}), integer(1));
  EXPECT_EQ(w.read_reply_raw(), bulks({"y", "a", "1"}));
  EXPECT_EQ(run({"EXISTS", "y"}), integer(0));
  EXPECT_EQ(w.command_raw({"PING"}), "+PONG\r\n");
}

TEST_F(Zsets, BlockingPopServesWaitersInArrivalOrder) {
  std::vector<RespClient> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(other());
    waiters.back().send_command({"BZPOPMIN", "q", "10"});
    ASSERT_TRUE(wait_until([&] { return blocked_clients() == i + 1; }, 10s));
  }
  // Two members: the two oldest waiters get them, in order; the third keeps waiting.
  EXPECT_EQ(run({"ZADD", "q", "1", "a", "2", "b"}), integer(2));
  EXPECT_EQ(waiters[0].read_reply_raw(), bulks({"q", "a", "1"}));
  EXPECT_EQ(waiters[1].read_reply_raw(), bulks({"q", "b", "2"}));
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  EXPECT_EQ(run({"EXISTS", "q"}), integer(0));
  EXPECT_EQ(run({"ZADD", "q", "3", "c"}), integer(1));
  EXPECT_EQ(waiters[2].read_reply_raw(), bulks({"q", "c", "3"}));
}

TEST_F(Zsets, BlockedClientIgnoresOtherTypesAndKeepsWaiting) {
  auto w = other();
  w.send_command({"BZPOPMIN", "k", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  EXPECT_EQ(run({"SET", "k", "str"}), ok());
  EXPECT_EQ(run({"ZADD", "other", "1", "a"}), integer(1));
  EXPECT_EQ(run({"DEL", "k"}), integer(1));
  EXPECT_EQ(blocked_clients(), 1);
  EXPECT_EQ(run({"ZADD", "k", "5", "m"}), integer(1));
  EXPECT_EQ(w.read_reply_raw(), bulks({"k", "m", "5"}));
  EXPECT_EQ(run({"ZCARD", "other"}), integer(1));
}

TEST_F(Zsets, BlockingPopOfAClosedConnectionTakesNothing) {
  {
    auto w = other();
    w.send_command({"BZPOPMIN", "gone", "0"});
    ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  }  // closed while blocked
  // Redis unblocks a closed client at once; basalt drops it at its next wake-up, without
  // popping anything for it.
  ASSERT_TRUE(wait_until([&] { return blocked_clients() <= 1; }, 10s));
  int before = blocked_clients();
  auto w2 = other();
  w2.send_command({"BZPOPMIN", "gone", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == before + 1; }, 10s));
  EXPECT_EQ(run({"ZADD", "gone", "1", "a"}), integer(1));
  EXPECT_EQ(w2.read_reply_raw(), bulks({"gone", "a", "1"}));
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 0; }, 10s));
}

// ---------------------------------------------------------------------------------------------
// Differential: random sorted set commands against the real Redis.

enum class Compare { Exact, Shape, SortedPairs };

using Step = ComparedStep<Compare>;

class Generator : public SeededRandom {
 public:
  explicit Generator(uint64_t seed) : SeededRandom(seed) {}

  Step next() {
    static const WeightedChoice<Generator, Step> table = {
        {14, &Generator::zadd},       {4, &Generator::zincrby},   {4, &Generator::zrem},
        {2, &Generator::zcard},       {3, &Generator::zscore},    {2, &Generator::zmscore},
        {3, &Generator::zrank},       {3, &Generator::zcount},    {3, &Generator::zlexcount},
        {6, &Generator::zrange},      {4, &Generator::byscore},   {4, &Generator::bylex},
        {2, &Generator::zrangestore}, {3, &Generator::zremrange}, {4, &Generator::zpop},
        {1, &Generator::bzpop},       {4, &Generator::algebra},   {2, &Generator::zrandmember},
        {1, &Generator::zscan},       {2, &Generator::sadd},      {2, &Generator::misc},
    };
    return table.next(*this);
  }

  static std::vector<std::string> keys() { return {"z0", "z1", "z2", "z3", "s0", "str"}; }

 private:
  std::string key() {
    if (chance(4)) return pick(std::vector<std::string>{"s0", "str", "nokey"});
    return pick(std::vector<std::string>{"z0", "z1", "z2", "z3"});
  }
  std::string member() {
    return pick(std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "aa", "ab", "b0", ""});
  }
  std::string score() {
    if (chance(55)) return std::to_string(uniform(-3, 3));
    if (chance(90)) {
      return pick(std::vector<std::string>{"0.5", "-0.5", "1.25", "0.1", "2.5", "-0", "1e3",
                                           "-2.75", "0.3", "1.5e0", "inf", "-inf", "+inf"});
    }
    return pick(std::vector<std::string>{"x", "nan", "", "1x"});
  }
  std::string score_bound() {
    if (chance(10)) return pick(std::vector<std::string>{"-inf", "+inf", "inf"});
    std::string s = chance(50) ? std::to_string(uniform(-3, 3))
                               : pick(std::vector<std::string>{"0.5", "-0.5", "1.25", "2.5"});
    if (chance(30)) s = "(" + s;
    if (chance(2)) s = "x";
    return s;
  }
  std::string lex_bound() {
    if (chance(20)) return pick(std::vector<std::string>{"-", "+"});
    if (chance(2)) return pick(std::vector<std::string>{"a", "", "-x"});
    return (chance(50) ? "[" : "(") + member();
  }
  std::string index() { return std::to_string(uniform(-6, 6)); }
  void limit(Args& a) {
    if (chance(35)) {
      a.push_back("LIMIT");
      a.push_back(std::to_string(uniform(-1, 4)));
      a.push_back(std::to_string(uniform(-1, 4)));
    }
  }

  Step zadd() {
    Args a = {"ZADD", key()};
    if (chance(30)) {
      for (const char* opt : {"NX", "XX", "GT", "LT", "CH", "INCR"}) {
        if (chance(20)) a.push_back(opt);
      }
    }
    int pairs = uniform(1, 3);
    for (int i = 0; i < pairs; ++i) {
      a.push_back(score());
      a.push_back(member());
    }
    return {a};
  }
  Step zincrby() { return {{"ZINCRBY", key(), score(), member()}}; }
  Step zrem() {
    Args a = {"ZREM", key()};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(member());
    return {a};
  }
  Step zcard() { return {{"ZCARD", key()}}; }
  Step zscore() { return {{"ZSCORE", key(), member()}}; }
  Step zmscore() { return {{"ZMSCORE", key(), member(), member()}}; }
  Step zrank() { return {{chance(50) ? "ZRANK" : "ZREVRANK", key(), member()}}; }
  Step zcount() { return {{"ZCOUNT", key(), score_bound(), score_bound()}}; }
  Step zlexcount() { return {{"ZLEXCOUNT", key(), lex_bound(), lex_bound()}}; }
  Step zrange() {
    Args a = {"ZRANGE", key()};
    int form = uniform(0, 2);
    if (form == 0) {
      a.push_back(index());
      a.push_back(index());
    } else if (form == 1) {
      a.push_back(score_bound());
      a.push_back(score_bound());
      a.push_back("BYSCORE");
    } else {
      a.push_back(lex_bound());
      a.push_back(lex_bound());
      a.push_back("BYLEX");
    }
    if (chance(40)) a.push_back("REV");
    if (form != 0 || chance(5)) limit(a);
    if (form != 2 ? chance(50) : chance(3)) a.push_back("WITHSCORES");
    return {a};
  }
  Step byscore() {
    bool rev = chance(40);
    Args a = {rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", key(), score_bound(), score_bound()};
    if (chance(50)) a.push_back("WITHSCORES");
    limit(a);
    return {a};
  }
  Step bylex() {
    bool rev = chance(40);
    Args a = {rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", key(), lex_bound(), lex_bound()};
    limit(a);
    return {a};
  }
  Step zrangestore() {
    Args a = {"ZRANGESTORE", key(), key()};
    if (chance(50)) {
      a.push_back(index());
      a.push_back(index());
    } else {
      a.push_back(score_bound());
      a.push_back(score_bound());
      a.push_back("BYSCORE");
      limit(a);
    }
    return {a};
  }
  Step zremrange() {
    switch (uniform(0, 2)) {
      case 0:
        return {{"ZREMRANGEBYRANK", key(), index(), index()}};
      case 1:
        return {{"ZREMRANGEBYSCORE", key(), score_bound(), score_bound()}};
      default:
        return {{"ZREMRANGEBYLEX", key(), lex_bound(), lex_bound()}};
    }
  }
  Step zpop() {
    Args a = {chance(50) ? "ZPOPMIN" : "ZPOPMAX", key()};
    if (chance(50)) a.push_back(std::to_string(uniform(-1, 4)));
    return {a};
  }
  Step bzpop() {
    // Mostly served at once; when every key is empty, both servers time out.
    return {{chance(50) ? "BZPOPMIN" : "BZPOPMAX", key(), key(), "0.01"}};
  }
  Step algebra() {
    static const std::vector<std::string> ops = {
        "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"};
    const std::string& op = pick(ops);
    bool store = op.ends_with("STORE");
    Args a = {op};
    if (store) a.push_back(key());
    int n = uniform(1, 3);
    a.push_back(std::to_string(n));
    for (int i = 0; i < n; ++i) a.push_back(chance(15) ? "s0" : key());
    bool diff = op.starts_with("ZDIFF");
    if (op == "ZINTERCARD") {
      if (chance(40)) {
        a.push_back("LIMIT");
        a.push_back(std::to_string(uniform(0, 3)));
      }
      return {a};
    }
    if (!diff && chance(40)) {
      a.push_back("WEIGHTS");
      for (int i = 0; i < n; ++i) {
        a.push_back(pick(std::vector<std::string>{"1", "2", "-1", "0.5", "0", "-0.25", "3"}));
      }
    }
    if (!diff && chance(40)) {
      a.push_back("AGGREGATE");
      a.push_back(pick(std::vector<std::string>{"SUM", "MIN", "MAX"}));
    }
    if (!store && chance(50)) a.push_back("WITHSCORES");
    return {a};
  }
  Step zrandmember() {
    Args a = {"ZRANDMEMBER", key()};
    if (chance(70)) {
      a.push_back(std::to_string(uniform(-5, 5)));
      if (chance(40)) a.push_back("WITHSCORES");
    }
    return {a, Compare::Shape};
  }
  Step zscan() { return {{"ZSCAN", key(), "0", "COUNT", "1000"}, Compare::SortedPairs}; }
  Step sadd() { return {{"SADD", "s0", member(), member()}}; }
  Step misc() {
    switch (uniform(0, 4)) {
      case 0:
        return {{"DEL", key()}};
      case 1:
        return {{"TYPE", key()}};
      case 2:
        return {{"SET", "str", "v"}};
      case 3:
        return {{"EXISTS", key()}};
      default:
        return {{"ZADD", key(), "0", member(), "0", member(), "0", member()}};
    }
  }
};

// Empty if the replies agree under `how`, else why not.
std::string compare_replies(Compare how, const std::string& ours, const std::string& theirs) {
  if (ours == theirs) return "";
  if (how == Compare::Exact) return "replies differ";
  Reply a = parse_reply(ours), b = parse_reply(theirs);
  if (a.type != b.type) return "reply types differ";
  if (how == Compare::Shape) {
    return a.elements.size() == b.elements.size() ? "" : "reply sizes differ";
  }
  // SortedPairs: a ZSCAN reply [cursor, [member, score, ...]] as a set of pairs.
  if (a.type != Reply::Array || a.elements.size() != 2) return "replies differ";
  auto pairs = [](const Reply& r) {
    std::set<std::pair<std::string, std::string>> s;
    const auto& items = r.elements[1].elements;
    for (size_t i = 0; i + 1 < items.size(); i += 2) s.emplace(items[i].str, items[i + 1].str);
    return s;
  };
  if (a.elements[0].str != "0" || b.elements[0].str != "0") return "scan not complete";
  return pairs(a) == pairs(b) ? "" : "scanned members differ";
}

TEST(ZsetsDifferential, RandomCommandsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  constexpr int kCommands = 2000;
  for (uint64_t seed : {1u, 2u}) {
    ASSERT_EQ(servers.ours().command_raw({"FLUSHALL"}), ok());
    ASSERT_EQ(servers.theirs().command_raw({"FLUSHALL"}), ok());
    Generator gen(seed);
    auto next = [&] { return gen.next(); };
    auto check = [&](const Step& step) {
      return servers.check(step.args, [&](const std::string& ours, const std::string& theirs) {
        return compare_replies(step.compare, ours, theirs);
      });
    };
    const RandomRunResult run = RandomRun<Step>(seed, kCommands, next, check).run();
    ASSERT_TRUE(run.matched()) << run.report;
    std::vector<Args> reads;
    for (const auto& key : Generator::keys()) {
      reads.insert(reads.end(),
                   {{"TYPE", key}, {"ZRANGE", key, "0", "-1", "WITHSCORES"}, {"ZCARD", key}});
    }
    EXPECT_EQ(servers.same_all(reads), "") << "seed " << seed;
  }
}

// Pops read ahead (storage/types/pop_pool.h, PopAhead): a pop takes the entries an earlier
// pop from the same end read, as long as nothing else touched the set. Pipelined batches (so
// that many commands share a write group) mix pops from both ends and with counts with every
// other kind of change: new members, score changes below and above the popped ends, removals,
// range removals, a union stored over the key, its deletion; and batches of pops alone, from
// both ends until they meet. Every reply equals Redis's.
Args pop_ahead_command(SeededRandom& r) {
  auto member = [&] { return "m" + std::to_string(r.uniform(0, 40)); };
  auto score = [&] { return std::to_string(r.uniform(-6, 6)); };
  auto count = [&] { return std::to_string(r.uniform(1, 5)); };
  const int pick = r.uniform(0, 99);
  if (pick < 30) return {"ZPOPMIN", "z", count()};
  if (pick < 40) return {"ZPOPMIN", "z"};
  if (pick < 50) return {"ZPOPMAX", "z", count()};
  if (pick < 55) return {"ZMPOP", "1", "z", r.chance(50) ? "MIN" : "MAX", "COUNT", count()};
  if (pick < 70) return {"ZADD", "z", score(), member(), score(), member()};
  if (pick < 75) return {"ZINCRBY", "z", score(), member()};
  if (pick < 80) return {"ZREM", "z", member()};
  if (pick < 83) return {"ZREMRANGEBYSCORE", "z", "-1", "1"};
  if (pick < 86) return {"ZADD", "y", score(), member()};
  if (pick < 88) return {"ZUNIONSTORE", "z", "2", "z", "y"};
  if (pick < 89) return {"DEL", "z"};
  if (pick < 95) return {"ZRANGE", "z", "0", "-1", "WITHSCORES"};
  return {"ZCARD", "z"};
}

TEST(ZsetsDifferential, PipelinedPopsReadAheadAndMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  for (uint64_t seed : {5u, 6u}) {
    ASSERT_EQ(servers.ours().command_raw({"FLUSHALL"}), ok());
    ASSERT_EQ(servers.theirs().command_raw({"FLUSHALL"}), ok());
    SeededRandom r(seed);
    for (int batch = 0; batch < 60; ++batch) {
      // A fill first now and then, so that pops find something to read ahead.
      std::vector<Args> commands;
      if (batch % 4 == 0) {
        Args fill = {"ZADD", "z"};
        for (int i = 0; i < 60; ++i) {
          fill.push_back(std::to_string(r.uniform(-6, 6)));
          fill.push_back("m" + std::to_string(r.uniform(0, 40)));
        }
        commands.push_back(fill);
      }
      // Some batches only pop, from both ends, until the ends meet.
      const bool pops_only = batch % 4 == 1;
      for (int i = 0; i < 40; ++i) {
        if (pops_only)
          commands.push_back(
              {r.chance(50) ? "ZPOPMIN" : "ZPOPMAX", "z", std::to_string(r.uniform(1, 3))});
        else
          commands.push_back(pop_ahead_command(r));
      }
      for (const Args& c : commands) {
        servers.ours().send_command(c);
        servers.theirs().send_command(c);
      }
      for (const Args& c : commands) {
        const std::string ours = servers.ours().read_reply_raw();
        const std::string theirs = servers.theirs().read_reply_raw();
        ASSERT_EQ(ours, theirs) << "seed " << seed << " batch " << batch << ": "
                                << render_command(c);
      }
    }
    EXPECT_EQ(servers.same_all({{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZCARD", "z"}}), "")
        << "seed " << seed;
  }
}

// ---------------------------------------------------------------------------------------------
// Replication: pops are logged as their effect.

TEST(ZsetsReplication, ReplicaReachesTheSameDigest) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  Generator gen(42);
  for (int i = 0; i < 1500; ++i) m.command_raw(gen.next().args);
  // Pops of random-looking choices, and blocking pops served after a wait.
  m.command_raw({"ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d"});
  m.command_raw({"ZPOPMAX", "p", "2"});
  auto w = servers.master.client();
  w.send_command({"BZPOPMIN", "bp", "10"});
  ASSERT_TRUE(wait_until([&] { return info_int(m, "clients", "blocked_clients") == 1; }, 10s));
  m.command_raw({"ZADD", "bp", "5", "x", "6", "y"});
  EXPECT_EQ(w.read_reply_raw(), bulks({"bp", "x", "5"}));
  auto offset = [](RespClient& c) { return info_int(c, "replication", "master_repl_offset"); };
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.command_raw({"ZRANGE", "bp", "0", "-1", "WITHSCORES"}), bulks({"y", "6"}));
  EXPECT_EQ(r.command_raw({"ZRANGE", "p", "0", "-1"}), bulks({"a", "b"}));
  for (const auto& key : Generator::keys()) {
    Args args = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
    EXPECT_EQ(r.command_raw(args), m.command_raw(args)) << key;
  }
}

// ---------------------------------------------------------------------------------------------
// A large sorted set: single-member work and ranges never load the whole set.

TEST(ZsetsLarge, QueriesAtTheMiddleAndDeleteAreFast) {
  BasaltServer server;
  server.start();
  auto c = server.client(2s);
  c.set_timeout(60s);
  constexpr int kMembers = 200'000;
  constexpr int kPerCommand = 1000;
  std::string pipeline;
  for (int start = 0; start < kMembers; start += kPerCommand) {
    Args zadd = {"ZADD", "big"};
    for (int i = start; i < start + kPerCommand; ++i) {
      zadd.push_back(std::to_string(i));
      char name[16];
      std::snprintf(name, sizeof(name), "m%07d", i);
      zadd.push_back(name);
    }
    pipeline += encode_command(zadd);
  }
  c.send_raw(pipeline);
  for (int start = 0; start < kMembers; start += kPerCommand) {
    ASSERT_EQ(c.read_reply_raw(), integer(kPerCommand));
  }
  EXPECT_EQ(c.command_raw({"ZCARD", "big"}), integer(kMembers));
  auto t0 = Clock::now();
  EXPECT_EQ(c.command_raw({"ZSCORE", "big", "m0123456"}), bulk("123456"));
  EXPECT_EQ(c.command_raw({"ZRANGEBYSCORE", "big", "(100000", "100002", "WITHSCORES"}),
            bulks({"m0100001", "100001", "m0100002", "100002"}));
  EXPECT_EQ(c.command_raw({"ZCOUNT", "big", "150000", "(150010"}), integer(10));
  EXPECT_EQ(c.command_raw({"ZRANGE", "big", "-2", "-1"}), bulks({"m0199998", "m0199999"}));
  EXPECT_EQ(c.command_raw({"ZREVRANK", "big", "m0199990"}), integer(9));
  EXPECT_EQ(c.command_raw({"ZPOPMIN", "big"}), bulks({"m0000000", "0"}));
  EXPECT_EQ(c.command_raw({"ZADD", "big", "100000.5", "mid"}), integer(1));
  EXPECT_EQ(c.command_raw({"ZRANGEBYSCORE", "big", "(100000", "(100001"}), bulks({"mid"}));
  EXPECT_LT(Clock::now() - t0, 2s);
  // Ranks far from both ends walk half the set at most.
  EXPECT_EQ(c.command_raw({"ZRANGE", "big", "99999", "99999"}), bulks({"m0100000"}));
  // basalt builds replies in memory: absurd repeat counts are refused, not attempted (Redis
  // would stream until it runs out of memory).
  EXPECT_EQ(c.command_raw({"ZRANDMEMBER", "big", "-9223372036854775807"}),
            err("ERR value is out of range"));
  auto t1 = Clock::now();
  EXPECT_EQ(c.command_raw({"DEL", "big"}), integer(1));
  EXPECT_LT(Clock::now() - t1, 1s);
  EXPECT_EQ(c.command_raw({"ZCARD", "big"}), integer(0));
  EXPECT_EQ(c.command_raw({"ZRANGE", "big", "0", "-1"}), empty());
}

}  // namespace
}  // namespace basalt::test
