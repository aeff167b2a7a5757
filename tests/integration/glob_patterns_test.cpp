// tests/integration/glob_patterns_test.cpp — hostile glob patterns ("a*a*...*b" against
// "aaa...a", which a backtracking matcher takes exponential time on) sent to every command that
// matches a pattern: KEYS, SCAN / HSCAN / SSCAN / ZSCAN MATCH, PSUBSCRIBE (matched on PUBLISH),
// PUBSUB CHANNELS, CONFIG GET and COMMAND LIST FILTERBY PATTERN. The node must answer each one
// (correctly) and then a PING; the client's generous reply timeout is the hang detector.
// Edge cases the glob fuzzer found (tests/fuzz/glob_fuzz.cpp) are checked against redis-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// A reply slower than this is a hang (a linear matcher answers in microseconds).
constexpr auto kHangTimeout = 60s;

const std::string kText(40, 'a');

// "a*a*...a*" + tail: 20 stars in front of a tail that decides the match.
std::string stars(const std::string& tail) {
  std::string p;
  for (int i = 0; i < 20; ++i) p += "a*";
  return p + tail;
}

// Patterns that match nothing (and would backtrack forever), and ones that match kText.
const std::vector<std::string> kMisses = {stars("b"), std::string(1000, '*') + "b",
                                          "*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?b",
                                          "*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[^a]"};
const std::vector<std::string> kHits = {stars("a"), "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a"};

class HostileGlob : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    c_.emplace(server_.client());
    c_->set_timeout(kHangTimeout);
  }
  RespClient& c() { return *c_; }
  // The server still answers a new command on this client and on a new one.
  void expect_alive() {
    EXPECT_TRUE(c().command({"PING"}).is_status("PONG"));
    RespClient fresh = server_.client();
    EXPECT_TRUE(fresh.command({"PING"}).is_status("PONG"));
  }
  // The MATCH result of a SCAN-family command with COUNT big enough to be one call.
  std::vector<std::string> scan_matches(std::vector<std::string> args) {
    Reply r = c().command(args);
    EXPECT_EQ(r.type, Reply::Array) << r.to_string();
    std::vector<std::string> out;
    if (r.type == Reply::Array && r.elements.size() == 2) {
      EXPECT_EQ(r.elements[0].str, "0");
      for (const auto& e : r.elements[1].elements) out.push_back(e.str);
    }
    return out;
  }

  BasaltServer server_;
  std::optional<RespClient> c_;
};

TEST_F(HostileGlob, KeysAndScan) {
  ASSERT_TRUE(c().command({"SET", kText, "1"}).is_status("OK"));
  for (const auto& p : kMisses) {
    SCOPED_TRACE(p);
    EXPECT_EQ(c().get_strings({"KEYS", p}), std::vector<std::string>{});
    EXPECT_EQ(scan_matches({"SCAN", "0", "MATCH", p, "COUNT", "1000"}), std::vector<std::string>{});
  }
  for (const auto& p : kHits) {
    SCOPED_TRACE(p);
    EXPECT_EQ(c().get_strings({"KEYS", p}), std::vector<std::string>{kText});
    EXPECT_EQ(scan_matches({"SCAN", "0", "MATCH", p, "COUNT", "1000"}),
              std::vector<std::string>{kText});
  }
  expect_alive();
}

TEST_F(HostileGlob, CollectionScans) {
  ASSERT_TRUE(c().command({"HSET", "h", kText, "v"}).is_integer(1));
  ASSERT_TRUE(c().command({"SADD", "s", kText}).is_integer(1));
  ASSERT_TRUE(c().command({"ZADD", "z", "1", kText}).is_integer(1));
  for (const auto& p : kMisses) {
    SCOPED_TRACE(p);
    EXPECT_EQ(scan_matches({"HSCAN", "h", "0", "MATCH", p}), std::vector<std::string>{});
    EXPECT_EQ(scan_matches({"SSCAN", "s", "0", "MATCH", p}), std::vector<std::string>{});
    EXPECT_EQ(scan_matches({"ZSCAN", "z", "0", "MATCH", p}), std::vector<std::string>{});
  }
  for (const auto& p : kHits) {
    SCOPED_TRACE(p);
    EXPECT_EQ(scan_matches({"HSCAN", "h", "0", "MATCH", p}),
              (std::vector<std::string>{kText, "v"}));
    EXPECT_EQ(scan_matches({"SSCAN", "s", "0", "MATCH", p}), std::vector<std::string>{kText});
    EXPECT_EQ(scan_matches({"ZSCAN", "z", "0", "MATCH", p}),
              (std::vector<std::string>{kText, "1"}));
  }
  expect_alive();
}

TEST_F(HostileGlob, PubSub) {
  // A subscriber to the long channel (for PUBSUB CHANNELS) and one to every hostile pattern.
  RespClient sub = server_.client();
  sub.set_timeout(kHangTimeout);
  sub.command({"SUBSCRIBE", kText});
  RespClient psub = server_.client();
  psub.set_timeout(kHangTimeout);
  for (const auto& p : kMisses) psub.command({"PSUBSCRIBE", p});
  for (const auto& p : kHits) psub.command({"PSUBSCRIBE", p});

  for (const auto& p : kMisses) {
    SCOPED_TRACE(p);
    EXPECT_EQ(c().get_strings({"PUBSUB", "CHANNELS", p}), std::vector<std::string>{});
  }
  for (const auto& p : kHits) {
    SCOPED_TRACE(p);
    EXPECT_EQ(c().get_strings({"PUBSUB", "CHANNELS", p}), std::vector<std::string>{kText});
  }
  // The subscriber and every matching pattern receive it; no hostile pattern matches.
  EXPECT_TRUE(c().command({"PUBLISH", kText, "hello"})
                  .is_integer(1 + static_cast<long long>(kHits.size())));
  Reply m = sub.read_reply();
  ASSERT_EQ(m.elements.size(), 3u) << m.to_string();
  EXPECT_EQ(m.elements[2].str, "hello");
  for (const auto& p : kHits) {
    Reply pm = psub.read_reply();
    ASSERT_EQ(pm.elements.size(), 4u) << pm.to_string();
    EXPECT_EQ(pm.elements[1].str, p);
  }
  EXPECT_TRUE(psub.command({"PING"}).type == Reply::Array);  // subscribed PING: no pmessage left
  expect_alive();
}

TEST_F(HostileGlob, ConfigGetAndCommandList) {
  // Names are short, but the patterns are long: the answer must still come at once.
  const std::vector<std::string> patterns = {
      std::string(5000, '*') + "#", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
      "*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*e*#"};
  for (const auto& p : patterns) {
    SCOPED_TRACE(p);
    EXPECT_EQ(c().get_strings({"CONFIG", "GET", p}), std::vector<std::string>{});
    EXPECT_EQ(c().get_strings({"COMMAND", "LIST", "FILTERBY", "PATTERN", p}),
              std::vector<std::string>{});
  }
  EXPECT_EQ(c().get_strings({"CONFIG", "GET", "*m*a*x*c*l*i*e*n*t*s*"}),
            (std::vector<std::string>{"maxclients", "10000"}));
  expect_alive();
}

// Found by tests/fuzz/glob_fuzz.cpp: Redis matches an empty key only with an empty pattern
// (KEYS * and MATCH * list it through their all-keys shortcut), and ranges are ordered before
// they are compared. Same keys listed by both servers (sorted: the orders differ).
TEST(GlobDifferential, EmptyKeysAndRangesAgreeWithRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  ServerPair pair;
  for (const char* key : {"", "_", "b", "Z", "a*"}) {
    ASSERT_TRUE(pair.ours().command({"SET", key, "1"}).is_status("OK"));
    ASSERT_TRUE(pair.theirs().command({"SET", key, "1"}).is_status("OK"));
  }
  for (const char* pattern : {"*", "**", "?*", "[Z-a]", "[a-Z]", "*[\\*]", "[", "\\"}) {
    auto ours = pair.ours().get_strings({"KEYS", pattern});
    auto theirs = pair.theirs().get_strings({"KEYS", pattern});
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs) << "KEYS " << pattern;
  }
  EXPECT_EQ(pair.same({"HSET", "h", "", "v", "x", "w"}), "");
  EXPECT_EQ(pair.same({"HSCAN", "h", "0", "MATCH", "**"}), "");
  EXPECT_EQ(pair.same({"SCAN", "0", "MATCH", "**", "COUNT", "100", "TYPE", "hash"}), "");
}

}  // namespace
}  // namespace basalt::test
