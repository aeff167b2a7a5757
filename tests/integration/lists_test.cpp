// tests/integration/lists_test.cpp — end-to-end checks of basalt's list commands:
//  - Lists.*: every command's replies and errors asserted byte for byte as Redis 7.0 sends
//    them (checked against Debian's redis-server 7.0.15; re-check with
//    BASALT_TEST_BINARY=/usr/bin/redis-server basalt_integration_tests --gtest_filter='Lists.*').
//    Blocking commands are among them: BLPOP / BRPOP / BLMPOP / BLMOVE / BRPOPLPUSH timing
//    out with a nil array, woken by another client's push (or LMOVE / LINSERT), FIFO among
//    waiters, several keys, a closed waiter never served;
//  - ListsDifferential.*: seeded, bounded random command sequences over a small key space sent
//    to basalt and to the real Redis, raw replies compared byte for byte (and pops across
//    chunk boundaries over elements around the out-of-line size);
//  - ListsReplication.*: a replica applying the log (pops, moves, trims and blocking pops and
//    moves served after a wait) reaches the master's DEBUG DIGEST;
//  - ListsLarge.*: a 200,000-element list answers LINDEX / LSET / LRANGE at its middle and is
//    trimmed and deleted quickly.
#include <gtest/gtest.h>

#include <chrono>
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

// LMPOP / BLMPOP: [key, [elements...]].
std::string keyed(std::string_view key, const std::vector<std::string>& items) {
  return "*2\r\n" + bulk(key) + bulks(items);
}

// ---------------------------------------------------------------------------------------------
// Fixture: one server per suite, an empty data set and a fresh client per test (BasaltSuite).

class Lists : public BasaltSuite {
 protected:
  // Sends `args` from `w` and waits until the server counts `n` blocked clients.
  void block(RespClient& w, const Args& args, int n = 1) {
    w.send_command(args);
    ASSERT_TRUE(wait_until([&] { return blocked_clients() == n; }, 10s)) << render_command(args);
  }
};

// ---------------------------------------------------------------------------------------------
// Pushes, pops, length

TEST_F(Lists, PushesAndLength) {
  EXPECT_EQ(run({"LPUSH", "l", "b", "a"}), integer(2));  // a b
  EXPECT_EQ(run({"RPUSH", "l", "c", "d"}), integer(4));  // a b c d
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"a", "b", "c", "d"}));
  EXPECT_EQ(run({"LLEN", "l"}), integer(4));
  EXPECT_EQ(run({"LLEN", "nokey"}), integer(0));
  EXPECT_EQ(run({"TYPE", "l"}), "+list\r\n");
  EXPECT_EQ(run({"LPUSHX", "nokey", "a"}), integer(0));
  EXPECT_EQ(run({"RPUSHX", "nokey", "a", "b"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "nokey"}), integer(0));
  EXPECT_EQ(run({"LPUSHX", "l", "x", "y"}), integer(6));
  EXPECT_EQ(run({"RPUSHX", "l", "z"}), integer(7));
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"y", "x", "a", "b", "c", "d", "z"}));
  EXPECT_EQ(run({"LPUSH", "l"}), wrong_args("lpush"));
  EXPECT_EQ(run({"RPUSHX", "l"}), wrong_args("rpushx"));
  EXPECT_EQ(run({"LLEN", "l", "x"}), wrong_args("llen"));
  // Binary-safe elements, the empty string included.
  EXPECT_EQ(run({"RPUSH", "bin", std::string("a\0b\r\n", 5), ""}), integer(2));
  EXPECT_EQ(run({"LRANGE", "bin", "0", "-1"}), bulks({std::string("a\0b\r\n", 5), ""}));
}

TEST_F(Lists, PopsWithAndWithoutCount) {
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c", "d", "e"}), integer(5));
  EXPECT_EQ(run({"LPOP", "l"}), bulk("a"));
  EXPECT_EQ(run({"RPOP", "l"}), bulk("e"));
  EXPECT_EQ(run({"LPOP", "l", "2"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"LPOP", "l", "0"}), empty());
  EXPECT_EQ(run({"RPOP", "l", "10"}), bulks({"d"}));  // more than there are
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));        // emptied: removed
  EXPECT_EQ(run({"LPOP", "l"}), nil());
  EXPECT_EQ(run({"LPOP", "l", "1"}), nil_array());
  EXPECT_EQ(run({"RPOP", "l", "0"}), nil_array());
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c"}), integer(3));
  EXPECT_EQ(run({"RPOP", "l", "2"}), bulks({"c", "b"}));  // in pop order
  EXPECT_EQ(run({"LPOP", "l", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"RPOP", "l", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"LPOP", "nokey", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"LPOP", "l", "1", "2"}), wrong_args("lpop"));
  EXPECT_EQ(run({"LPOP"}), wrong_args("lpop"));
}

TEST_F(Lists, WrongTypeEverywhere) {
  EXPECT_EQ(run({"SET", "s", "x"}), ok());
  for (const Args& args : std::vector<Args>{
           {"LPUSH", "s", "a"},
           {"RPUSH", "s", "a"},
           {"LPUSHX", "s", "a"},
           {"RPUSHX", "s", "a"},
           {"LPOP", "s"},
           {"RPOP", "s", "2"},
           {"LLEN", "s"},
           {"LRANGE", "s", "0", "-1"},
           {"LINDEX", "s", "0"},
           {"LSET", "s", "0", "a"},
           {"LINSERT", "s", "BEFORE", "a", "b"},
           {"LREM", "s", "0", "a"},
           {"LTRIM", "s", "0", "1"},
           {"LPOS", "s", "a"},
           {"LMOVE", "s", "d", "LEFT", "LEFT"},
           {"RPOPLPUSH", "s", "d"},
           {"LMPOP", "2", "nokey", "s", "LEFT"},
           {"BLPOP", "nokey", "s", "0"},
           {"BRPOP", "s", "0"},
           {"BLMOVE", "s", "d", "LEFT", "RIGHT", "0"},
           {"BRPOPLPUSH", "s", "d", "0"},
           {"BLMPOP", "0", "1", "s", "RIGHT"},
       }) {
    EXPECT_EQ(run(args), wrong_type()) << render_command(args);
  }
  // A missing source answers nil before the destination's type is looked at; an existing
  // source with a destination of another type is a WRONGTYPE and moves nothing.
  EXPECT_EQ(run({"LMOVE", "nokey", "s", "LEFT", "LEFT"}), nil());
  EXPECT_EQ(run({"RPUSH", "l", "a"}), integer(1));
  EXPECT_EQ(run({"LMOVE", "l", "s", "LEFT", "LEFT"}), wrong_type());
  EXPECT_EQ(run({"RPOPLPUSH", "l", "s"}), wrong_type());
  EXPECT_EQ(run({"BLMOVE", "l", "s", "LEFT", "LEFT", "0"}), wrong_type());
  EXPECT_EQ(run({"LLEN", "l"}), integer(1));
  EXPECT_EQ(run({"GET", "s"}), bulk("x"));
}

// ---------------------------------------------------------------------------------------------
// Reads and writes by index and range

TEST_F(Lists, RangeBounds) {
  EXPECT_EQ(run({"LRANGE", "nokey", "0", "-1"}), empty());
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c", "d", "e"}), integer(5));
  EXPECT_EQ(run({"LRANGE", "l", "1", "2"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"LRANGE", "l", "-2", "-1"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"LRANGE", "l", "-100", "1"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"LRANGE", "l", "3", "100"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"LRANGE", "l", "3", "1"}), empty());
  EXPECT_EQ(run({"LRANGE", "l", "5", "10"}), empty());
  EXPECT_EQ(run({"LRANGE", "l", "-1", "-2"}), empty());
  EXPECT_EQ(run({"LRANGE", "l", "0", "-6"}), empty());
  EXPECT_EQ(run({"LRANGE", "l", "-9223372036854775808", "9223372036854775807"}),
            bulks({"a", "b", "c", "d", "e"}));
  EXPECT_EQ(run({"LRANGE", "l", "a", "1"}), not_integer());
  EXPECT_EQ(run({"LRANGE", "l", "0", "9223372036854775808"}), not_integer());
  EXPECT_EQ(run({"LRANGE", "nokey", "x", "1"}), not_integer());  // arguments before the key
}

TEST_F(Lists, IndexAndSet) {
  EXPECT_EQ(run({"LINDEX", "nokey", "0"}), nil());
  EXPECT_EQ(run({"LINDEX", "nokey", "x"}), nil());  // key before the index, as Redis
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c"}), integer(3));
  EXPECT_EQ(run({"LINDEX", "l", "0"}), bulk("a"));
  EXPECT_EQ(run({"LINDEX", "l", "-1"}), bulk("c"));
  EXPECT_EQ(run({"LINDEX", "l", "-3"}), bulk("a"));
  EXPECT_EQ(run({"LINDEX", "l", "3"}), nil());
  EXPECT_EQ(run({"LINDEX", "l", "-4"}), nil());
  EXPECT_EQ(run({"LINDEX", "l", "x"}), not_integer());
  EXPECT_EQ(run({"LSET", "l", "1", "B"}), ok());
  EXPECT_EQ(run({"LSET", "l", "-1", "C"}), ok());
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"a", "B", "C"}));
  EXPECT_EQ(run({"LSET", "l", "3", "x"}), err("ERR index out of range"));
  EXPECT_EQ(run({"LSET", "l", "-4", "x"}), err("ERR index out of range"));
  EXPECT_EQ(run({"LSET", "l", "x", "x"}), not_integer());
  EXPECT_EQ(run({"LSET", "nokey", "0", "x"}), err("ERR no such key"));
  EXPECT_EQ(run({"LSET", "nokey", "x", "x"}), err("ERR no such key"));
  EXPECT_EQ(run({"EXISTS", "nokey"}), integer(0));
}

// ---------------------------------------------------------------------------------------------
// Middle edits

TEST_F(Lists, Insert) {
  EXPECT_EQ(run({"LINSERT", "nokey", "BEFORE", "a", "x"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "nokey"}), integer(0));
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c", "b"}), integer(4));
  EXPECT_EQ(run({"LINSERT", "l", "BEFORE", "b", "x"}), integer(5));  // the first b
  EXPECT_EQ(run({"LINSERT", "l", "after", "b", "y"}), integer(6));
  EXPECT_EQ(run({"LINSERT", "l", "AFTER", "b", "z"}), integer(7));
  EXPECT_EQ(run({"LINSERT", "l", "BEFORE", "a", "first"}), integer(8));
  EXPECT_EQ(run({"LINSERT", "l", "AFTER", "b", "last"}), integer(9));
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}),
            bulks({"first", "a", "x", "b", "last", "z", "y", "c", "b"}));
  EXPECT_EQ(run({"LINSERT", "l", "BEFORE", "nothere", "v"}), integer(-1));
  EXPECT_EQ(run({"LINSERT", "l", "MIDDLE", "a", "v"}), syntax_error());
  EXPECT_EQ(run({"LINSERT", "nokey", "MIDDLE", "a", "v"}), syntax_error());
  EXPECT_EQ(run({"LINSERT", "l", "BEFORE", "a"}), wrong_args("linsert"));
  EXPECT_EQ(run({"LLEN", "l"}), integer(9));
}

TEST_F(Lists, Remove) {
  EXPECT_EQ(run({"LREM", "nokey", "0", "a"}), integer(0));
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "a", "c", "a", "b", "a"}), integer(7));
  EXPECT_EQ(run({"LREM", "l", "1", "a"}), integer(1));  // the first
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"b", "a", "c", "a", "b", "a"}));
  EXPECT_EQ(run({"LREM", "l", "-2", "a"}), integer(2));  // the last two
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"b", "a", "c", "b"}));
  EXPECT_EQ(run({"LREM", "l", "0", "b"}), integer(2));  // all
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"a", "c"}));
  EXPECT_EQ(run({"LREM", "l", "5", "zz"}), integer(0));
  EXPECT_EQ(run({"LREM", "l", "-9223372036854775808", "a"}), integer(1));
  EXPECT_EQ(run({"LREM", "l", "0", "c"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));
  EXPECT_EQ(run({"LREM", "l", "x", "a"}), not_integer());
  EXPECT_EQ(run({"LREM", "nokey", "x", "a"}), not_integer());
}

TEST_F(Lists, Trim) {
  EXPECT_EQ(run({"LTRIM", "nokey", "0", "1"}), ok());
  EXPECT_EQ(run({"EXISTS", "nokey"}), integer(0));
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c", "d", "e", "f"}), integer(6));
  EXPECT_EQ(run({"LTRIM", "l", "1", "-2"}), ok());
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"b", "c", "d", "e"}));
  EXPECT_EQ(run({"LTRIM", "l", "-100", "100"}), ok());
  EXPECT_EQ(run({"LLEN", "l"}), integer(4));
  EXPECT_EQ(run({"LTRIM", "l", "2", "2"}), ok());
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), bulks({"d"}));
  EXPECT_EQ(run({"LTRIM", "l", "1", "0"}), ok());  // empty range: the key goes
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));
  EXPECT_EQ(run({"LTRIM", "l", "x", "0"}), not_integer());
  EXPECT_EQ(run({"LTRIM", "l", "0", "x"}), not_integer());
  // A TTL survives edits.
  EXPECT_EQ(run({"RPUSH", "t", "a", "b", "c"}), integer(3));
  EXPECT_EQ(run({"EXPIRE", "t", "1000"}), integer(1));
  EXPECT_EQ(run({"LTRIM", "t", "0", "1"}), ok());
  EXPECT_EQ(run({"LPUSH", "t", "z"}), integer(3));
  EXPECT_EQ(run({"TTL", "t"}), integer(1000));
}

TEST_F(Lists, Pos) {
  EXPECT_EQ(run({"LPOS", "nokey", "a"}), nil());
  EXPECT_EQ(run({"LPOS", "nokey", "a", "COUNT", "0"}), empty());
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"}), integer(7));
  EXPECT_EQ(run({"LPOS", "l", "a"}), integer(0));
  EXPECT_EQ(run({"LPOS", "l", "c"}), integer(2));
  EXPECT_EQ(run({"LPOS", "l", "zz"}), nil());
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "2"}), integer(3));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-1"}), integer(6));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-2"}), integer(3));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "4"}), nil());
  EXPECT_EQ(run({"LPOS", "l", "a", "COUNT", "0"}), integers({0, 3, 6}));
  EXPECT_EQ(run({"LPOS", "l", "a", "COUNT", "2"}), integers({0, 3}));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-1", "COUNT", "2"}), integers({6, 3}));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "2", "COUNT", "0"}), integers({3, 6}));
  EXPECT_EQ(run({"LPOS", "l", "zz", "COUNT", "0"}), empty());
  EXPECT_EQ(run({"LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"}), integers({0, 3}));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-1", "COUNT", "0", "MAXLEN", "2"}), integers({6}));
  EXPECT_EQ(run({"LPOS", "l", "c", "MAXLEN", "2"}), nil());
  EXPECT_EQ(run({"LPOS", "l", "c", "MAXLEN", "0"}), integer(2));  // 0: the whole list
  // RANK LLONG_MIN wraps around in Redis: from the tail, every match.
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-9223372036854775808"}), integer(6));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"}),
            integers({6, 3, 0}));
  // Errors, checked before the key.
  EXPECT_EQ(run({"LPOS", "nokey", "a", "RANK", "0"}),
            err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                "second ... or use negative to start from the end of the list"));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK", "x"}), not_integer());
  EXPECT_EQ(run({"LPOS", "l", "a", "COUNT", "-1"}), err("ERR COUNT can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "a", "COUNT", "x"}), err("ERR COUNT can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "a", "MAXLEN", "-1"}), err("ERR MAXLEN can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "a", "MAXLEN", "x"}), err("ERR MAXLEN can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "a", "RANK"}), syntax_error());
  EXPECT_EQ(run({"LPOS", "l", "a", "FOO", "1"}), syntax_error());
  EXPECT_EQ(run({"LPOS", "l"}), wrong_args("lpos"));
}

// ---------------------------------------------------------------------------------------------
// Moves and multi-key pops

TEST_F(Lists, MoveAndRotate) {
  EXPECT_EQ(run({"RPUSH", "src", "a", "b", "c"}), integer(3));
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}), bulk("a"));
  EXPECT_EQ(run({"LMOVE", "src", "dst", "right", "left"}), bulk("c"));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"c", "a"}));
  EXPECT_EQ(run({"RPOPLPUSH", "src", "dst"}), bulk("b"));
  EXPECT_EQ(run({"EXISTS", "src"}), integer(0));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"b", "c", "a"}));
  EXPECT_EQ(run({"RPOPLPUSH", "dst", "dst"}), bulk("a"));  // rotation
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"a", "b", "c"}));
  EXPECT_EQ(run({"LMOVE", "dst", "dst", "LEFT", "RIGHT"}), bulk("a"));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"b", "c", "a"}));
  EXPECT_EQ(run({"RPUSH", "one", "x"}), integer(1));
  EXPECT_EQ(run({"LMOVE", "one", "one", "LEFT", "LEFT"}), bulk("x"));
  EXPECT_EQ(run({"LRANGE", "one", "0", "-1"}), bulks({"x"}));
  EXPECT_EQ(run({"LMOVE", "nokey", "dst", "LEFT", "LEFT"}), nil());
  EXPECT_EQ(run({"RPOPLPUSH", "nokey", "dst"}), nil());
  EXPECT_EQ(run({"LMOVE", "dst", "x", "UP", "LEFT"}), syntax_error());
  EXPECT_EQ(run({"LMOVE", "dst", "x", "LEFT", "DOWN"}), syntax_error());
  EXPECT_EQ(run({"LMOVE", "dst", "x", "LEFT"}), wrong_args("lmove"));
}

TEST_F(Lists, Mpop) {
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), nil_array());
  EXPECT_EQ(run({"RPUSH", "b", "1", "2", "3"}), integer(3));
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), keyed("b", {"1"}));
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}), keyed("b", {"3", "2"}));
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
  EXPECT_EQ(run({"LMPOP", "0", "a", "LEFT"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"LMPOP", "x", "a", "LEFT"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"LMPOP", "2", "a", "LEFT"}), syntax_error());
  EXPECT_EQ(run({"LMPOP", "1", "a", "MIDDLE"}), syntax_error());
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}),
            err("ERR count should be greater than 0"));
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}), syntax_error());
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "FOO"}), syntax_error());
  EXPECT_EQ(run({"LMPOP", "1", "a"}), wrong_args("lmpop"));
}

// ---------------------------------------------------------------------------------------------
// Blocking commands

TEST_F(Lists, BlockingServedAtOnceWhenThereAreElements) {
  EXPECT_EQ(run({"RPUSH", "b", "1", "2", "3"}), integer(3));
  EXPECT_EQ(run({"BLPOP", "nokey", "b", "0"}), bulks({"b", "1"}));
  EXPECT_EQ(run({"BRPOP", "b", "0"}), bulks({"b", "3"}));
  EXPECT_EQ(run({"BLMOVE", "b", "d", "LEFT", "LEFT", "0"}), bulk("2"));
  EXPECT_EQ(run({"BRPOPLPUSH", "d", "d", "0"}), bulk("2"));
  EXPECT_EQ(run({"BLMPOP", "0", "2", "nokey", "d", "LEFT", "COUNT", "3"}), keyed("d", {"2"}));
  EXPECT_EQ(run({"EXISTS", "b", "d"}), integer(0));
  EXPECT_EQ(blocked_clients(), 0);
}

TEST_F(Lists, BlockingArgumentErrors) {
  EXPECT_EQ(run({"BLPOP", "l", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BLPOP", "l", "inf"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BLPOP", "l", "1e400"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BLPOP", "l", "9223372036854776"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BRPOP", "l", "x"}), err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(run({"BRPOP", "l", "nan"}), err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(run({"BLPOP", "l"}), wrong_args("blpop"));
  EXPECT_EQ(run({"BLMOVE", "a", "b", "LEFT", "UP", "0"}), syntax_error());
  EXPECT_EQ(run({"BLMOVE", "a", "b", "LEFT", "LEFT", "x"}),
            err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(run({"BRPOPLPUSH", "a", "b", "-0.5"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BLMPOP", "x", "0", "a", "LEFT"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"BLMPOP", "x", "1", "a", "LEFT"}),
            err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(run({"BLMPOP", "0", "1", "a", "UP"}), syntax_error());
}

TEST_F(Lists, BlockingTimesOutWithNilArray) {
  auto w = other();
  for (const Args& args : std::vector<Args>{{"BLPOP", "a", "b", "0.2"},
                                            {"BRPOP", "a", "0.2"},
                                            {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0.2"},
                                            {"BRPOPLPUSH", "a", "b", "0.2"},
                                            {"BLMPOP", "0.2", "2", "a", "b", "LEFT"}}) {
    auto start = Clock::now();
    EXPECT_EQ(w.command_raw(args), nil_array()) << render_command(args);
    EXPECT_GE(Clock::now() - start, 190ms) << render_command(args);
    EXPECT_LT(Clock::now() - start, 5s) << render_command(args);
  }
  // Sub-millisecond timeouts round up to 1 ms (not "forever").
  EXPECT_EQ(w.command_raw({"BLPOP", "a", "0.0001"}), nil_array());
  EXPECT_EQ(blocked_clients(), 0);
  EXPECT_EQ(w.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"EXISTS", "a", "b"}), integer(0));
}

TEST_F(Lists, BlockedPopIsWokenByAPush) {
  auto w = other();
  block(w, {"BLPOP", "x", "y", "0"});
  EXPECT_EQ(run({"RPUSH", "y", "1", "2"}), integer(2));
  EXPECT_EQ(w.read_reply_raw(), bulks({"y", "1"}));
  EXPECT_EQ(run({"LRANGE", "y", "0", "-1"}), bulks({"2"}));
  EXPECT_EQ(blocked_clients(), 0);
  // BRPOP takes the tail; LPUSHX onto an existing list, LINSERT and LMOVE also wake.
  block(w, {"BRPOP", "z", "10"});
  EXPECT_EQ(run({"LPUSH", "z", "a", "b"}), integer(2));
  EXPECT_EQ(w.read_reply_raw(), bulks({"z", "a"}));
  block(w, {"BLPOP", "m", "10"});
  EXPECT_EQ(run({"LMOVE", "z", "m", "LEFT", "LEFT"}), bulk("b"));
  EXPECT_EQ(w.read_reply_raw(), bulks({"m", "b"}));
  EXPECT_EQ(run({"EXISTS", "z", "m"}), integer(0));
  // A write to another key or of another type leaves the waiter blocked.
  block(w, {"BLPOP", "k", "10"});
  EXPECT_EQ(run({"SET", "k", "str"}), ok());
  EXPECT_EQ(run({"RPUSH", "other", "a"}), integer(1));
  EXPECT_EQ(run({"DEL", "k"}), integer(1));
  EXPECT_EQ(blocked_clients(), 1);
  EXPECT_EQ(run({"RPUSH", "k", "v"}), integer(1));
  EXPECT_EQ(w.read_reply_raw(), bulks({"k", "v"}));
  EXPECT_EQ(w.command_raw({"PING"}), "+PONG\r\n");
}

// A push sent right behind a BLPOP (its group may commit before the blocked connection even
// resumes) is never lost: the waiter is registered while its command runs.
TEST_F(Lists, PushRightAfterBlockingPopIsNeverLost) {
  auto w = other();
  for (int i = 0; i < 200; ++i) {
    std::string key = "race" + std::to_string(i);
    w.send_command({"BLPOP", key, "5"});
    ASSERT_EQ(run({"LPUSH", key, "v"}), integer(1));
    ASSERT_EQ(w.read_reply_raw(), bulks({key, "v"})) << i;
  }
}

TEST_F(Lists, BlockedWaitersAreServedInArrivalOrder) {
  std::vector<RespClient> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(other());
    block(waiters.back(), {"BLPOP", "q", "10"}, i + 1);
  }
  // Two elements: the two oldest waiters get them, in order; the third keeps waiting.
  EXPECT_EQ(run({"RPUSH", "q", "a", "b"}), integer(2));
  EXPECT_EQ(waiters[0].read_reply_raw(), bulks({"q", "a"}));
  EXPECT_EQ(waiters[1].read_reply_raw(), bulks({"q", "b"}));
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 1; }, 10s));
  EXPECT_EQ(run({"EXISTS", "q"}), integer(0));
  EXPECT_EQ(run({"RPUSH", "q", "c"}), integer(1));
  EXPECT_EQ(waiters[2].read_reply_raw(), bulks({"q", "c"}));
  // One push of three elements serves three waiters in order, each one element.
  for (int i = 0; i < 3; ++i) block(waiters[i], {"BRPOP", "r", "10"}, i + 1);
  EXPECT_EQ(run({"RPUSH", "r", "1", "2", "3"}), integer(3));
  EXPECT_EQ(waiters[0].read_reply_raw(), bulks({"r", "3"}));
  EXPECT_EQ(waiters[1].read_reply_raw(), bulks({"r", "2"}));
  EXPECT_EQ(waiters[2].read_reply_raw(), bulks({"r", "1"}));
  EXPECT_EQ(run({"EXISTS", "r"}), integer(0));
}

TEST_F(Lists, BlockedMovesAreServed) {
  auto w = other();
  block(w, {"BLMOVE", "src", "dst", "RIGHT", "LEFT", "10"});
  EXPECT_EQ(run({"RPUSH", "src", "a", "b"}), integer(2));
  EXPECT_EQ(w.read_reply_raw(), bulk("b"));
  EXPECT_EQ(run({"LRANGE", "src", "0", "-1"}), bulks({"a"}));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"b"}));
  block(w, {"BRPOPLPUSH", "s2", "dst", "10"});
  EXPECT_EQ(run({"LPUSH", "s2", "c"}), integer(1));
  EXPECT_EQ(w.read_reply_raw(), bulk("c"));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), bulks({"c", "b"}));
  EXPECT_EQ(run({"EXISTS", "s2"}), integer(0));
  // A waiter of BLMOVE into dst is itself woken by the move's push.
  auto w2 = other();
  block(w2, {"BLPOP", "chain", "10"});
  block(w, {"BLMOVE", "s3", "chain", "LEFT", "RIGHT", "10"}, 2);
  EXPECT_EQ(run({"RPUSH", "s3", "x"}), integer(1));
  EXPECT_EQ(w.read_reply_raw(), bulk("x"));
  EXPECT_EQ(w2.read_reply_raw(), bulks({"chain", "x"}));
  EXPECT_EQ(run({"EXISTS", "s3", "chain"}), integer(0));
  // BLMPOP after a wait: up to COUNT elements of the key that got them.
  block(w, {"BLMPOP", "10", "2", "m1", "m2", "RIGHT", "COUNT", "2"});
  EXPECT_EQ(run({"RPUSH", "m2", "1", "2", "3"}), integer(3));
  EXPECT_EQ(w.read_reply_raw(), keyed("m2", {"3", "2"}));
  EXPECT_EQ(run({"LRANGE", "m2", "0", "-1"}), bulks({"1"}));
}

TEST_F(Lists, BlockedClientThatClosedTakesNothing) {
  {
    auto w = other();
    block(w, {"BLPOP", "gone", "0"});
  }  // closed while blocked
  // Dropped at its next wake-up at the latest, without popping anything for it.
  ASSERT_TRUE(wait_until([&] { return blocked_clients() <= 1; }, 10s));
  int before = blocked_clients();
  auto w2 = other();
  block(w2, {"BLPOP", "gone", "10"}, before + 1);
  EXPECT_EQ(run({"RPUSH", "gone", "a"}), integer(1));
  EXPECT_EQ(w2.read_reply_raw(), bulks({"gone", "a"}));
  ASSERT_TRUE(wait_until([&] { return blocked_clients() == 0; }, 10s));
}

// ---------------------------------------------------------------------------------------------
// Differential: random list commands against the real Redis.

class Generator : public SeededRandom {
 public:
  explicit Generator(uint64_t seed) : SeededRandom(seed) {}

  static const std::vector<std::string>& keys() {
    static const std::vector<std::string> k = {"l0", "l1", "l2", "l3", "str"};
    return k;
  }

  Args next() {
    switch (uniform(0, 29)) {
      case 0:
      case 1:
      case 2:
        return push(chance(50) ? "LPUSH" : "RPUSH");
      case 3:
        return push(chance(50) ? "LPUSHX" : "RPUSHX");
      case 4:
      case 5:
        return {chance(50) ? "LPOP" : "RPOP", key()};
      case 6:
        return {chance(50) ? "LPOP" : "RPOP", key(), count()};
      case 7:
        return {"LLEN", key()};
      case 8:
      case 9:
        return {"LRANGE", key(), index(), index()};
      case 10:
        return {"LINDEX", key(), index()};
      case 11:
        return {"LSET", key(), index(), element()};
      case 12:
      case 13:
        return {"LINSERT", key(), pick({"BEFORE", "AFTER", "before", "MIDDLE"}, 3), element(),
                element()};
      case 14:
      case 15:
        return {"LREM", key(), pick({"0", "1", "-1", "2", "-2", "x"}, 5), element()};
      case 16:
        return {"LTRIM", key(), index(), index()};
      case 17:
      case 18:
        return lpos();
      case 19:
      case 20:
        return {"LMOVE", key(), key(), side(), side()};
      case 21:
        return {"RPOPLPUSH", key(), key()};
      case 22: {
        Args a = {"LMPOP", "2", key(), key(), side()};
        if (chance(50)) {
          a.push_back("COUNT");
          a.push_back(pick({"1", "2", "5", "0"}, 3));
        }
        return a;
      }
      case 23:
        // Blocking forms: served at once when there is something; otherwise a short timeout.
        return {chance(50) ? "BLPOP" : "BRPOP", key(), key(), "0.01"};
      case 24:
        return {"BLMOVE", key(), key(), side(), side(), "0.01"};
      case 25:
        return {"BRPOPLPUSH", key(), key(), "0.01"};
      case 26:
        return {"TYPE", key()};
      case 27:
        return chance(50) ? Args{"SET", "str", "v"} : Args{"DEL", key()};
      case 28:
        return {"EXISTS", key()};
      default:
        return {"RPUSH", key(), element(), element(), element(), element(), element()};
    }
  }

 private:
  std::string pick(const std::vector<std::string>& v, int rare_last_percent) {
    // The last entry (an invalid one) is picked rarely.
    if (chance(100 - rare_last_percent)) {
      return v[static_cast<size_t>(uniform(0, static_cast<int>(v.size()) - 2))];
    }
    return v.back();
  }
  std::string key() { return keys()[static_cast<size_t>(uniform(0, 9) == 0 ? 4 : uniform(0, 3))]; }
  std::string element() { return std::string(1, static_cast<char>('a' + uniform(0, 4))); }
  std::string index() {
    if (chance(3)) return "x";
    return std::to_string(uniform(-8, 8));
  }
  std::string count() {
    if (chance(5)) return "-1";
    return std::to_string(uniform(0, 4));
  }
  std::string side() {
    if (chance(3)) return "UP";
    return chance(50) ? "LEFT" : "right";
  }
  Args push(const std::string& verb) {
    Args a = {verb, key()};
    for (int n = uniform(1, 3); n > 0; --n) a.push_back(element());
    return a;
  }
  Args lpos() {
    Args a = {"LPOS", key(), element()};
    if (chance(40)) {
      a.push_back("RANK");
      a.push_back(pick({"1", "2", "-1", "-2", "3", "0"}, 5));
    }
    if (chance(40)) {
      a.push_back("COUNT");
      a.push_back(pick({"0", "1", "2", "-1"}, 5));
    }
    if (chance(30)) {
      a.push_back("MAXLEN");
      a.push_back(pick({"0", "1", "3", "-1"}, 5));
    }
    if (chance(2)) a.push_back("BOGUS");
    return a;
  }
};

TEST(ListsDifferential, RandomCommandsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  constexpr int kCommands = 2000;
  for (uint64_t seed : {1u, 2u}) {
    ASSERT_EQ(servers.ours().command_raw({"FLUSHALL"}), ok());
    ASSERT_EQ(servers.theirs().command_raw({"FLUSHALL"}), ok());
    Generator gen(seed);
    auto next = [&] { return gen.next(); };
    auto check = [&](const Args& args) { return servers.same(args); };
    const RandomRunResult run = RandomRun<Args>(seed, kCommands, next, check).run();
    ASSERT_TRUE(run.matched()) << run.report;
    std::vector<Args> reads;
    for (const auto& key : Generator::keys())
      reads.insert(reads.end(), {{"TYPE", key}, {"LRANGE", key, "0", "-1"}, {"LLEN", key}});
    EXPECT_EQ(servers.same_all(reads), "") << "seed " << seed;
  }
}

// Pops that cross chunk boundaries (64 slots) from either end, over elements around the
// out-of-line size (256 bytes) and empty ones: a pop keeps the rest of a chunk's encoding as
// it is, so every reply and the whole list must still match Redis. Reads of windows of every
// length, from either end, forward (LRANGE) and backward (LPOS with a negative rank and a
// MAXLEN), over one to many chunks: short runs are read a point read per chunk, long ones
// with an iterator; in a transaction they see its own pushes and pops.
class ChunkPopGenerator : public SeededRandom {
 public:
  explicit ChunkPopGenerator(uint64_t seed) : SeededRandom(seed) {}

  Args next() {
    if (!queued_.empty()) {
      Args a = std::move(queued_.front());
      queued_.erase(queued_.begin());
      return a;
    }
    if (uniform(0, 2) == 0) return read();
    if (chance(5)) {
      queued_ = {change(), read(), change(), read(), {"EXEC"}};
      return {"MULTI"};
    }
    return change();
  }

 private:
  Args read() {
    switch (uniform(0, 3)) {
      case 0:
        return {"LRANGE", "l", "0", "-1"};
      case 1: {
        // A window of 1..400 elements from either end (index_from_tail: negative indexes).
        const int64_t length = uniform(1, 400), start = uniform(0, 300);
        if (chance(50))
          return {"LRANGE", "l", std::to_string(start), std::to_string(start + length - 1)};
        return {"LRANGE", "l", std::to_string(-start - length), std::to_string(-start - 1)};
      }
      case 2:
        return {"LINDEX", "l", std::to_string(uniform(-300, 300))};
      default:
        return {"LPOS",
                "l",
                std::string(1, static_cast<char>('a' + uniform(0, 25))),
                "RANK",
                chance(70) ? "-1" : "1",
                "COUNT",
                "0",
                "MAXLEN",
                std::to_string(uniform(1, 400))};
    }
  }

  Args change() {
    if (uniform(0, 1) == 0) {
      Args a = {chance(50) ? "LPUSH" : "RPUSH", "l"};
      for (int n = uniform(1, 90); n > 0; --n) a.push_back(element());
      return a;
    }
    static const std::vector<std::string> counts = {"1", "2", "63", "64", "65", "130"};
    Args a = {chance(50) ? "LPOP" : "RPOP", "l"};
    if (chance(70)) a.push_back(counts[static_cast<size_t>(uniform(0, 5))]);
    return a;
  }

  std::string element() {
    static const std::vector<size_t> sizes = {0, 1, 7, 255, 256, 257, 1000};
    const size_t size = sizes[static_cast<size_t>(uniform(0, 6))];
    return std::string(size, static_cast<char>('a' + uniform(0, 25)));
  }

  std::vector<Args> queued_;  // the rest of a transaction
};

TEST(ListsDifferential, PopsAcrossChunksWithBigElementsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair servers;
  constexpr int kCommands = 600;
  for (uint64_t seed : {3u, 4u}) {
    ASSERT_EQ(servers.ours().command_raw({"FLUSHALL"}), ok());
    ASSERT_EQ(servers.theirs().command_raw({"FLUSHALL"}), ok());
    ChunkPopGenerator gen(seed);
    auto next = [&] { return gen.next(); };
    auto check = [&](const Args& args) { return servers.same(args); };
    const RandomRunResult run = RandomRun<Args>(seed, kCommands, next, check).run();
    ASSERT_TRUE(run.matched()) << run.report;
    EXPECT_EQ(servers.same_all({{"LRANGE", "l", "0", "-1"}, {"LLEN", "l"}}), "") << seed;
  }
}

// ---------------------------------------------------------------------------------------------
// Replication: the log holds deterministic, non-blocking commands.

TEST(ListsReplication, ReplicaReachesTheSameDigest) {
  BasaltServer master;
  master.start();
  // --replicaof in its one-argument form "host port" (MasterAndReplica passes two arguments).
  BasaltServer replica({"--replicaof", "127.0.0.1 " + std::to_string(master.port())});
  replica.start();
  auto m = master.client();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  Generator gen(42);
  for (int i = 0; i < 1500; ++i) m.command_raw(gen.next());
  // Blocking pops and moves served after a wait, on several clients.
  auto blocked = [&] { return info_int(m, "clients", "blocked_clients"); };
  auto w1 = master.client(), w2 = master.client(), w3 = master.client();
  w1.send_command({"BLPOP", "bp", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked() == 1; }, 10s));
  w2.send_command({"BLMOVE", "bp", "moved", "LEFT", "RIGHT", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked() == 2; }, 10s));
  w3.send_command({"BLMPOP", "10", "1", "bp", "RIGHT", "COUNT", "2"});
  ASSERT_TRUE(wait_until([&] { return blocked() == 3; }, 10s));
  m.command_raw({"RPUSH", "bp", "a", "b", "c", "d", "e"});
  EXPECT_EQ(w1.read_reply_raw(), bulks({"bp", "a"}));
  EXPECT_EQ(w2.read_reply_raw(), bulk("b"));
  EXPECT_EQ(w3.read_reply_raw(), keyed("bp", {"e", "d"}));
  w1.send_command({"BRPOPLPUSH", "bq", "moved", "10"});
  ASSERT_TRUE(wait_until([&] { return blocked() == 1; }, 10s));
  m.command_raw({"LPUSH", "bq", "z"});
  EXPECT_EQ(w1.read_reply_raw(), bulk("z"));
  auto offset = [](RespClient& c) { return info_int(c, "replication", "master_repl_offset"); };
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(r.command_raw({"LRANGE", "bp", "0", "-1"}), bulks({"c"}));
  EXPECT_EQ(r.command_raw({"LRANGE", "moved", "0", "-1"}),
            m.command_raw({"LRANGE", "moved", "0", "-1"}));
  for (const auto& key : Generator::keys()) {
    Args args = {"LRANGE", key, "0", "-1"};
    EXPECT_EQ(r.command_raw(args), m.command_raw(args)) << key;
  }
}

// ---------------------------------------------------------------------------------------------
// A large list: single-element work never loads the whole list.

TEST(ListsLarge, MiddleAccessTrimAndDeleteAreFast) {
  BasaltServer server;
  server.start();
  auto c = server.client(2s);
  c.set_timeout(60s);
  constexpr int kElements = 200'000;
  constexpr int kPerCommand = 1000;
  std::string pipeline;
  for (int start = 0; start < kElements; start += kPerCommand) {
    Args rpush = {"RPUSH", "big"};
    for (int i = start; i < start + kPerCommand; ++i) rpush.push_back("e" + std::to_string(i));
    pipeline += encode_command(rpush);
  }
  c.send_raw(pipeline);
  for (int start = 0; start < kElements; start += kPerCommand)
    ASSERT_EQ(c.read_reply_raw(), integer(start + kPerCommand));
  // Each of these touches a handful of elements: far below a pass over 200,000.
  auto start = Clock::now();
  for (int i = 0; i < 100; ++i) {
    int at = 100'000 + i * 7;
    ASSERT_EQ(c.command_raw({"LINDEX", "big", std::to_string(at)}), bulk("e" + std::to_string(at)));
    ASSERT_EQ(c.command_raw({"LSET", "big", std::to_string(at + 3 - kElements), "x"}), ok());
    ASSERT_EQ(c.command_raw({"LINDEX", "big", std::to_string(at + 3)}), bulk("x"));
    ASSERT_EQ(c.command_raw({"LRANGE", "big", std::to_string(at), std::to_string(at + 1)}),
              bulks({"e" + std::to_string(at), "e" + std::to_string(at + 1)}));
  }
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(c.command_raw({"LPOP", "big"}), bulk("e0"));
  EXPECT_EQ(c.command_raw({"RPOP", "big"}), bulk("e199999"));
  // Trimming to a few elements moves those few (the rest goes with its version at once).
  start = Clock::now();
  EXPECT_EQ(c.command_raw({"LTRIM", "big", "1000", "1002"}), ok());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(c.command_raw({"LRANGE", "big", "0", "-1"}), bulks({"e1001", "e1002", "e1003"}));
  // Deleting a large list is one metadata delete and one range tombstone.
  c.send_raw(pipeline);
  for (int start_at = 0; start_at < kElements; start_at += kPerCommand)
    ASSERT_EQ(c.read_reply_raw(), integer(3 + start_at + kPerCommand));
  start = Clock::now();
  EXPECT_EQ(c.command_raw({"DEL", "big"}), integer(1));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(c.command_raw({"LLEN", "big"}), integer(0));
}

}  // namespace
}  // namespace basalt::test
