// tests/integration/element_memo_test.cpp — the write group's memo of element reads
// (node/core/element_memo.h) and the element cache across groups behind it
// (KeyspaceShared::element_cache): pipelines that read the same few members and fields again
// and again while other commands of the same groups add, change, remove them and delete their
// collections (inside transactions too) get replies byte for byte equal to redis-server's,
// also with more members than a small element cache holds; and neither outlives what it
// describes: a member another client removed between two groups is seen as gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

// Commands over three collections of `members` members each (four: the memo's case), most
// of them reading a member before they write (or do not write) it.
std::vector<Command> same_members(uint32_t seed, int count, unsigned members = 4) {
  std::mt19937 rng(seed);
  auto n = [&](unsigned bound) { return static_cast<int>(rng() % bound); };
  auto member = [&] { return "m" + std::to_string(n(members)); };
  std::vector<Command> out;
  while (static_cast<int>(out.size()) < count) {
    switch (n(14)) {
      case 0:
        out.push_back({"SADD", "s", member(), member()});
        break;
      case 1:
        out.push_back({"SREM", "s", member()});
        break;
      case 2:
        out.push_back({"SMOVE", "s", "s2", member()});
        break;
      case 3:
        out.push_back({"ZADD", "z", std::to_string(n(3)), member()});
        break;
      case 4:
        out.push_back({"ZADD", "z", n(2) ? "XX" : "NX", "CH", std::to_string(n(3)), member()});
        break;
      case 5:
        out.push_back({"ZINCRBY", "z", "1", member()});
        break;
      case 6:
        out.push_back({"ZREM", "z", member()});
        break;
      case 7:
        out.push_back({"HSET", "h", member(), std::to_string(n(3))});
        break;
      case 8:
        out.push_back({"HSETNX", "h", member(), "x"});
        break;
      case 9:
        out.push_back({"HINCRBY", "h", member(), "1"});
        break;
      case 10:
        out.push_back({"HDEL", "h", member()});
        break;
      case 11:
        // A collection deleted (its elements dropped by one range deletion) or replaced.
        if (n(2))
          out.push_back({"DEL", n(2) ? "s" : "h"});
        else
          out.push_back({"ZINTERSTORE", "z", "1", "z"});  // z again, under a new version
        break;
      case 12:
        out.push_back({"MULTI"});
        out.push_back({"SADD", "s", member()});
        out.push_back({"ZADD", "z", "GT", std::to_string(n(4)), member()});
        out.push_back({"HSETNX", "h", member(), "t"});
        out.push_back({"SREM", "s", member()});
        out.push_back({"EXEC"});
        break;
      default:
        out.push_back({"HINCRBY", "h", "n", "1"});  // an integer field, so HINCRBY works
        out.push_back({"ZSCORE", "z", member()});
        break;
    }
  }
  return out;
}

// An array reply's elements, rendered and sorted (for replies in no fixed order).
std::vector<std::string> sorted_elements(const Reply& reply) {
  std::vector<std::string> out;
  for (const Reply& e : reply.elements) out.push_back(e.to_string());
  std::sort(out.begin(), out.end());
  return out;
}

// The raw replies to `commands` sent as one pipeline.
std::vector<std::string> pipelined_replies(RespClient& c, const std::vector<Command>& commands) {
  std::string bytes;
  for (const auto& cmd : commands) bytes += encode_command(cmd);
  c.send_raw(bytes);
  std::vector<std::string> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) replies.push_back(c.read_reply_raw());
  return replies;
}

// Runs the seeds' pipelines on basalt (started with `args`) and redis-server and compares
// every reply and the collections left.
void rereads_match_redis(const std::vector<std::string>& args, unsigned members) {
  BasaltServer basalt(args);
  RedisOracle redis;
  basalt.start();
  redis.start();
  RespClient b = basalt.client();
  RespClient r = redis.client();
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const std::vector<Command> commands = same_members(seed, 400, members);
    const auto ours = pipelined_replies(b, commands);
    const auto theirs = pipelined_replies(r, commands);
    ASSERT_EQ(ours.size(), theirs.size());
    for (size_t i = 0; i < ours.size(); ++i) {
      ASSERT_EQ(ours[i], theirs[i]) << "seed " << seed << ", command " << i << ": "
                                    << commands[i][0] << " " << commands[i][1];
    }
  }
  for (const char* set : {"s", "s2"})
    EXPECT_EQ(sorted_elements(b.command({"SMEMBERS", set})),
              sorted_elements(r.command({"SMEMBERS", set})))
        << set;
  EXPECT_EQ(b.command_raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            r.command_raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}));
  EXPECT_EQ(sorted_elements(b.command({"HKEYS", "h"})), sorted_elements(r.command({"HKEYS", "h"})));
  EXPECT_EQ(b.command_raw({"HMGET", "h", "m0", "m1", "m2", "m3", "n"}),
            r.command_raw({"HMGET", "h", "m0", "m1", "m2", "m3", "n"}));
  EXPECT_EQ(sorted_elements(b.command({"HGETALL", "h"})),
            sorted_elements(r.command({"HGETALL", "h"})));
}

TEST(ElementMemo, PipelinesRereadingChangedMembersMatchRedis) {
  rereads_match_redis({}, 4);
}

// 64 members a collection against an element cache of about 70 entries: elements are
// evicted and read again from the store while the groups change them.
TEST(ElementMemo, PipelinesOverMoreMembersThanTheElementCacheHoldsMatchRedis) {
  rereads_match_redis({"--element-cache-size", "16kb"}, 64);
}

// The same with no element cache at all (the memo alone).
TEST(ElementMemo, PipelinesWithoutAnElementCacheMatchRedis) {
  rereads_match_redis({"--element-cache-size", "0"}, 4);
}

// One client's groups read the member again and again (the memo holds it as present); another
// client removes it, changes its score, deletes its field in a group of its own; the first
// client's next groups must see that.
TEST(ElementMemo, NoGroupReadsWhatAnEarlierGroupMemoized) {
  BasaltServer basalt;
  basalt.start();
  RespClient a = basalt.client();
  RespClient other = basalt.client();
  ASSERT_EQ(a.command({"SADD", "s", "m"}).integer, 1);
  ASSERT_EQ(a.command({"ZADD", "z", "1", "m"}).integer, 1);
  ASSERT_EQ(a.command({"HSET", "h", "f", "v"}).integer, 1);
  for (int round = 0; round < 20; ++round) {
    const std::vector<Command> rereads(50, Command{"SADD", "s", "m"});
    for (const auto& reply : pipelined_replies(a, rereads)) ASSERT_EQ(reply, ":0\r\n");
    ASSERT_EQ(pipelined_replies(a, {{"ZADD", "z", "1", "m"}, {"HSETNX", "h", "f", "v"}}),
              (std::vector<std::string>{":0\r\n", ":0\r\n"}));
    ASSERT_EQ(other.command({"SREM", "s", "m"}).integer, 1);
    ASSERT_EQ(other.command({"ZADD", "z", "7", "m"}).integer, 0);
    ASSERT_EQ(other.command({"HDEL", "h", "f"}).integer, 1);
    EXPECT_EQ(a.command({"SADD", "s", "m"}).integer, 1) << round;
    EXPECT_TRUE(a.command({"ZINCRBY", "z", "0", "m"}).is_bulk("7")) << round;
    EXPECT_EQ(a.command({"HSETNX", "h", "f", "v"}).integer, 1) << round;
    ASSERT_EQ(a.command({"ZADD", "z", "1", "m"}).integer, 0);
  }
}

}  // namespace
}  // namespace basalt::test
