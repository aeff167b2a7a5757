// tests/integration/output_limits_test.cpp — client-output-buffer-limit enforced: the directive
// reads and prints as Redis's (CONFIG SET / GET, errors, compared with redis-server); a
// subscriber that pipelines commands and never reads its replies is closed at the pubsub hard
// limit (its replies queued behind messages count too), and counted in INFO; a normal client
// whose reply passes the normal hard limit is closed before it is sent, as Redis closes it; the
// MULTI queue is bounded.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> config_answers(ServerProcess& s) {
  RespClient c = s.client();
  std::vector<std::string> out;
  out.push_back(c.command_raw({"CONFIG", "GET", "client-output-buffer-limit"}));
  out.push_back(
      c.command_raw({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 5"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "client-output-buffer-limit"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "client-output-buffer-limit", "nobody 1 2 3"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"}));
  out.push_back(c.command_raw(
      {"CONFIG", "SET", "client-output-buffer-limit", "replica 1gb 100mb 30 normal 0 0 0"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "client-output-buffer-limit"}));
  return out;
}

TEST(OutputLimits, DirectiveReadsAndPrintsAsRedis) {
  BasaltServer basalt;
  basalt.start();
  auto ours = config_answers(basalt);
  EXPECT_NE(ours[2].find("pubsub 1048576 524288 5"), std::string::npos) << ours[2];
  EXPECT_EQ(ours[3].substr(0, 4), "-ERR");
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis;
  redis.start();
  EXPECT_EQ(ours, config_answers(redis));
}

// A subscriber whose socket does not drain keeps the node's writer busy with messages; it then
// sends PINGs and never reads: their replies queue behind the messages and count against the
// pubsub hard limit too, so the node closes it instead of buffering them all.
TEST(OutputLimits, SubscriberThatNeverReadsItsRepliesIsClosed) {
  BasaltServer basalt({"--client-output-buffer-limit", "pubsub 16mb 0 0"});
  basalt.start();
  RespClient sub = basalt.client();
  int small = 4096;
  ASSERT_EQ(setsockopt(sub.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(sub.command({"SUBSCRIBE", "c"}).type, Reply::Array);
  RespClient pub = basalt.client();
  std::string payload(1024 * 1024, 'm');
  for (int i = 0; i < 10; ++i) pub.command({"PUBLISH", "c", payload});
  std::string pings;
  for (int i = 0; i < 5000; ++i) pings += encode_command({"PING"});
  auto disconnections = [&] {
    return info_int(pub, "stats", "client_output_buffer_limit_disconnections");
  };
  // At most ~28 MB of PINGs (2M replies): far past the limit if nothing closed the client.
  for (int round = 0; round < 400 && disconnections() == 0; ++round) {
    try {
      sub.send_raw(pings);
    } catch (const std::exception&) {
      break;  // closed under us (or no longer read): the counter below decides
    }
  }
  EXPECT_TRUE(wait_until([&] { return disconnections() >= 1; }, 10s))
      << "a subscriber that never reads was never closed";
  EXPECT_TRUE(wait_until([&] { return info_int(pub, "clients", "connected_clients") == 1; }, 10s));
  EXPECT_TRUE(pub.command({"PING"}).is_status("PONG"));
}

// What a normal client sees when one reply passes the normal hard limit: the connection closes
// with nothing sent (Redis frees the client asynchronously, before writing).
std::string big_reply_outcome(ServerProcess& s) {
  RespClient c = s.client();
  c.command({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"});
  c.command({"SET", "big", std::string(2 * 1024 * 1024, 'b')});
  c.command({"SET", "small", "s"});
  std::string out = c.command_raw({"GET", "small"});
  c.send_command({"GET", "big"});
  out += c.closed_by_peer(5s) ? "<closed>" : "<open>";
  RespClient other = s.client();
  out += other.command_raw({"EXISTS", "big"});
  return out;
}

TEST(OutputLimits, NormalClientOverTheHardLimitIsClosedAsRedis) {
  BasaltServer basalt;
  basalt.start();
  std::string ours = big_reply_outcome(basalt);
  EXPECT_EQ(ours, "$1\r\ns\r\n<closed>:1\r\n");
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis;
  redis.start();
  EXPECT_EQ(ours, big_reply_outcome(redis));
}

// The MULTI queue holds copies of its commands: it is bounded by client-query-buffer-limit, and
// a command refused there dooms the transaction (EXECABORT, nothing applied).
TEST(OutputLimits, MultiQueueIsBounded) {
  BasaltServer basalt;
  basalt.start();
  RespClient c = basalt.client();
  ASSERT_TRUE(c.command({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}).is_status("OK"));
  std::string value(600 * 1024, 'v');
  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  EXPECT_TRUE(c.command({"SET", "a", value}).is_status("QUEUED"));
  Reply refused = c.command({"SET", "b", value});
  EXPECT_EQ(refused.type, Reply::Error) << refused;
  Reply exec = c.command({"EXEC"});
  EXPECT_EQ(exec.type, Reply::Error) << exec;
  EXPECT_EQ(exec.str.substr(0, 9), "EXECABORT");
  EXPECT_TRUE(c.command({"EXISTS", "a"}).is_integer(0));
  // A fresh transaction starts from an empty queue.
  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  EXPECT_TRUE(c.command({"SET", "a", value}).is_status("QUEUED"));
  EXPECT_EQ(c.command({"EXEC"}).type, Reply::Array);
}

}  // namespace
}  // namespace basalt::test
