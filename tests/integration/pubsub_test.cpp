// tests/integration/pubsub_test.cpp — SUBSCRIBE / PSUBSCRIBE / UNSUBSCRIBE / PUNSUBSCRIBE /
// PUBLISH / PUBSUB: raw replies and the messages each subscriber receives, in order, compared
// byte for byte with Redis 7.0; subscribed-mode restrictions; a slow subscriber is
// disconnected at the pubsub output buffer hard limit.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Two channel subscribers, one pattern subscriber (also on a channel), a publisher. Returns
// everything each client received, raw, in order.
std::vector<std::string> scenario(ServerProcess& server) {
  std::vector<std::string> log;
  auto s1 = server.client();
  auto s2 = server.client();
  auto ps = server.client();
  auto pub = server.client();
  log.push_back("s1 " + s1.command_raw({"SUBSCRIBE", "news", "sport"}));
  log.back() += s1.read_reply_raw();
  log.push_back("s2 " + s2.command_raw({"SUBSCRIBE", "news"}));
  log.push_back("ps " + ps.command_raw({"PSUBSCRIBE", "n*"}));
  log.push_back("ps " + ps.command_raw({"SUBSCRIBE", "news"}));
  log.push_back("ps " + ps.command_raw({"PSUBSCRIBE", "n*"}));  // again: count unchanged
  // Subscribed mode: only (P)(UN)SUBSCRIBE / PING / QUIT / RESET.
  log.push_back("s1 " + s1.command_raw({"GET", "x"}));
  log.push_back("s1 " + s1.command_raw({"PING"}));
  log.push_back("s1 " + s1.command_raw({"PING", "hi"}));

  for (int i = 0; i < 5; ++i) {
    std::string n = std::to_string(i);
    log.push_back("pub " + pub.command_raw({"PUBLISH", "news", "n" + n}));
    log.push_back("pub " + pub.command_raw({"PUBLISH", "sport", "s" + n}));
    log.push_back("pub " + pub.command_raw({"PUBLISH", "nothing", "x" + n}));
  }
  log.push_back("pub " + pub.command_raw({"PUBSUB", "NUMSUB", "news", "sport", "none"}));
  log.push_back("pub " + pub.command_raw({"PUBSUB", "NUMPAT"}));
  log.push_back("pub " + pub.command_raw({"PUBSUB", "CHANNELS", "s*"}));
  // news: s1, s2, ps (channel and pattern); sport: s1; nothing: ps (pattern).
  for (int i = 0; i < 5; ++i) {
    log.push_back("s1 " + s1.read_reply_raw() + s1.read_reply_raw());
    log.push_back("s2 " + s2.read_reply_raw());
    log.push_back("ps " + ps.read_reply_raw() + ps.read_reply_raw() + ps.read_reply_raw());
  }
  log.push_back("s1 " + s1.command_raw({"UNSUBSCRIBE", "sport", "never"}));
  log.back() += s1.read_reply_raw();
  log.push_back("s1 " + s1.command_raw({"UNSUBSCRIBE"}));       // the rest: news
  log.push_back("s1 " + s1.command_raw({"UNSUBSCRIBE"}));       // none left: nil channel
  log.push_back("s1 " + s1.command_raw({"SET", "back", "1"}));  // normal mode again
  log.push_back("ps " + ps.command_raw({"PUNSUBSCRIBE"}));
  log.push_back("ps " + ps.command_raw({"PUNSUBSCRIBE", "n*"}));
  log.push_back("pub " + pub.command_raw({"PUBLISH", "news", "last"}));
  log.push_back("s2 " + s2.read_reply_raw());
  log.push_back("ps " + ps.read_reply_raw());
  return log;
}

TEST(PubSub, MessagesAndRepliesMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  BasaltServer basalt;
  basalt.start();
  RedisOracle redis;
  redis.start();
  auto got = scenario(basalt);
  auto want = scenario(redis);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << "entry " << i;
}

TEST(PubSub, PublishCountsReceiversAndDisconnectsLeave) {
  BasaltServer server;
  server.start();
  auto pub = server.client();
  {
    auto a = server.client();
    auto b = server.client();
    a.command({"SUBSCRIBE", "c"});
    b.command({"PSUBSCRIBE", "*"});
    EXPECT_TRUE(pub.command({"PUBLISH", "c", "m"}).is_integer(2));
    EXPECT_EQ(a.read_reply().elements.at(2).str, "m");
    EXPECT_EQ(b.read_reply().elements.at(3).str, "m");
  }
  // Both connections closed: their subscriptions go with them.
  EXPECT_TRUE(wait_until([&] { return pub.get_integer({"PUBLISH", "c", "m"}) == 0; }, 5s));
  EXPECT_TRUE(pub.command({"PUBSUB", "NUMPAT"}).is_integer(0));
}

TEST(PubSub, SlowSubscriberIsDisconnectedAtHardLimit) {
  BasaltServer server({"--client-output-buffer-limit", "pubsub 1mb 0 0"});
  server.start();
  auto slow = server.client();
  slow.command({"SUBSCRIBE", "big"});
  auto pub = server.client();
  std::string payload(256 * 1024, 'x');
  // The subscriber never reads: socket buffers fill, then its outbox passes 1 MB.
  bool dropped = false;
  for (int i = 0; i < 400 && !dropped; ++i) {
    dropped = pub.get_integer({"PUBLISH", "big", payload}) == 0;
  }
  EXPECT_TRUE(dropped) << "the slow subscriber was never disconnected";
  EXPECT_TRUE(slow.closed_by_peer(10s));
  auto other = server.client();
  EXPECT_TRUE(other.command({"PING"}).is_status("PONG"));
}

}  // namespace
}  // namespace basalt::test
