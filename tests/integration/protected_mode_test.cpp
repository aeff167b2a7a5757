// tests/integration/protected_mode_test.cpp — protected-mode and enable-debug-command, as in
// Redis 7.0, compared with Debian's redis-server where it is installed:
//  - enable-debug-command no (the default) refuses DEBUG with Redis's text; yes allows it;
//    local allows it from a loopback client only; it cannot be changed with CONFIG SET;
//  - protected-mode yes (the default) answers a client from a non-loopback address with
//    Redis's -DENIED text and closes, unless requirepass is set or protected-mode is no.
// The non-loopback client is the test itself connecting to the root end of a veth pair
// (NetnsLink): the kernel gives the connection that 10.x address as its source.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

const std::string kDebugRefused =
    "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.\r\n";
const std::string kDeniedStart =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user.";

// The raw reply to `args` on a new connection to host:port, then "<closed>" if the server
// closed the connection right after it.
std::string reply_from(const std::string& host, int port, const std::vector<std::string>& args) {
  RespClient c(host, port);
  c.connect(2s);
  c.send_command(args);
  std::string out = c.read_reply_raw();
  return out + (c.closed_by_peer(300ms) ? "<closed>" : "");
}

// The server's CONFIG GET / SET answers, raw.
std::vector<std::string> config_answers(ServerProcess& s) {
  RespClient c = s.client();
  std::vector<std::string> out;
  for (const char* name : {"enable-debug-command", "protected-mode", "tcp-keepalive"})
    out.push_back(c.command_raw({"CONFIG", "GET", name}));
  out.push_back(c.command_raw({"CONFIG", "SET", "enable-debug-command", "yes"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "protected-mode", "maybe"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tcp-keepalive", "-1"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "protected-mode", "yes"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tcp-keepalive", "300"}));
  out.push_back(c.command_raw({"DEBUG", "SLEEP", "0"}));
  out.push_back(c.command_raw({"DEBUG"}));
  return out;
}

TEST(DebugCommand, RefusedByDefaultAsRedis) {
  BasaltServer basalt({"--enable-debug-command", "no"});  // the default, over the suite's yes
  basalt.start();
  RespClient c = basalt.client();
  EXPECT_EQ(c.command_raw({"DEBUG", "SLEEP", "0"}), kDebugRefused);
  EXPECT_EQ(c.command_raw({"DEBUG", "DIGEST"}), kDebugRefused);
  EXPECT_EQ(c.command_raw({"CONFIG", "GET", "enable-debug-command"}),
            "*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n");
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis;
  redis.start();
  EXPECT_EQ(config_answers(basalt), config_answers(redis));
}

// The refusal comes before authentication and, inside MULTI, aborts the transaction; INFO
// counts it as rejected, not failed. Replies compared with redis-server's byte for byte.
std::vector<std::string> refusal_in_context(ServerProcess& s) {
  RespClient c = s.client();
  std::vector<std::string> out;
  out.push_back(c.command_raw({"DEBUG", "SLEEP", "0"}));  // not authenticated yet
  out.push_back(c.command_raw({"AUTH", "pw"}));
  out.push_back(c.command_raw({"CONFIG", "RESETSTAT"}));
  out.push_back(c.command_raw({"MULTI"}));
  out.push_back(c.command_raw({"DEBUG", "SLEEP", "0"}));
  out.push_back(c.command_raw({"SET", "k", "v"}));
  out.push_back(c.command_raw({"EXEC"}));
  out.push_back(c.command_raw({"EXISTS", "k"}));
  std::string stats = c.command({"INFO", "commandstats"}).str;
  size_t at = stats.find("cmdstat_debug:");
  out.push_back(at == std::string::npos ? "no debug stats"
                                        : stats.substr(stats.find("rejected_calls", at),
                                                       std::string("rejected_calls=1").size()));
  return out;
}

TEST(DebugCommand, RefusedBeforeAuthAndAbortsATransactionAsRedis) {
  std::vector<std::string> args = {"--enable-debug-command", "no", "--requirepass", "pw"};
  BasaltServer basalt(args);
  basalt.start();
  auto ours = refusal_in_context(basalt);
  EXPECT_EQ(ours[0], kDebugRefused);
  EXPECT_EQ(ours[6].substr(0, 9), "-EXECABOR");
  EXPECT_EQ(ours[7], ":0\r\n");
  EXPECT_EQ(ours[8], "rejected_calls=1");
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis(args);
  redis.start();
  EXPECT_EQ(ours, refusal_in_context(redis));
}

TEST(DebugCommand, AllowedWithYes) {
  BasaltServer basalt({"--enable-debug-command", "yes"});
  basalt.start();
  RespClient c = basalt.client();
  EXPECT_EQ(c.command_raw({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "enable-debug-command", "no"}),
            "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't "
            "set immutable config\r\n");
  EXPECT_EQ(c.command_raw({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
}

TEST(DebugCommand, BadValueRefusedAtStart) {
  BasaltServer basalt({"--enable-debug-command", "maybe"});
  EXPECT_THROW(basalt.start(), std::runtime_error);
  EXPECT_NE(basalt.log().find("argument(s) must be one of the following: no, yes, local"),
            std::string::npos)
      << basalt.log_tail();
}

class NonLoopbackClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!net_.created()) {
      GTEST_SKIP() << "can't create a veth pair here (needs root or CAP_NET_ADMIN): " << net_.why();
    }
  }
  // A server listening on every address; its helpers use loopback.
  static void listen_everywhere(ServerProcess& s) { s.set_bind_address("0.0.0.0"); }
  const std::string& outside() const { return net_.root_address(); }

  NetnsLink net_;  // declared first: the servers die before the link goes away
};

TEST_F(NonLoopbackClient, ProtectedModeDeniesWithoutPassword) {
  BasaltServer basalt;
  listen_everywhere(basalt);
  basalt.start();
  const std::string denied = reply_from(outside(), basalt.port(), {"PING"});
  EXPECT_TRUE(denied.starts_with(kDeniedStart)) << denied;
  EXPECT_TRUE(denied.ends_with("\r\n<closed>")) << denied;
  RespClient local = basalt.client();  // loopback: served
  EXPECT_TRUE(local.command({"PING"}).is_status("PONG"));
  EXPECT_EQ(info_int(local, "stats", "rejected_connections"), 1);

  // With a password the outside client is served (and must authenticate).
  ASSERT_TRUE(local.command({"CONFIG", "SET", "requirepass", "pw"}).is_status("OK"));
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"AUTH", "pw"}), "+OK\r\n");
  // Without a password but with protected-mode no, too.
  ASSERT_TRUE(local.command({"AUTH", "pw"}).is_status("OK"));
  ASSERT_TRUE(local.command({"CONFIG", "SET", "requirepass", ""}).is_status("OK"));
  EXPECT_TRUE(reply_from(outside(), basalt.port(), {"PING"}).starts_with(kDeniedStart));
  ASSERT_TRUE(local.command({"CONFIG", "SET", "protected-mode", "no"}).is_status("OK"));
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"PING"}), "+PONG\r\n");
  EXPECT_EQ(info_int(local, "stats", "rejected_connections"), 2);

  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis;
  listen_everywhere(redis);
  redis.start();
  BasaltServer fresh;
  listen_everywhere(fresh);
  fresh.start();
  EXPECT_EQ(reply_from(outside(), fresh.port(), {"PING"}),
            reply_from(outside(), redis.port(), {"PING"}));
}

TEST_F(NonLoopbackClient, ProtectedModeOffAtStart) {
  BasaltServer basalt({"--protected-mode", "no"});
  listen_everywhere(basalt);
  basalt.start();
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"PING"}), "+PONG\r\n");
}

TEST_F(NonLoopbackClient, DebugLocalOnlyFromLoopback) {
  BasaltServer basalt({"--enable-debug-command", "local", "--protected-mode", "no"});
  listen_everywhere(basalt);
  basalt.start();
  RespClient local = basalt.client();
  EXPECT_EQ(local.command_raw({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"DEBUG", "SLEEP", "0"}), kDebugRefused);
  EXPECT_EQ(reply_from(outside(), basalt.port(), {"PING"}), "+PONG\r\n");

  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis({"--enable-debug-command", "local", "--protected-mode", "no"});
  listen_everywhere(redis);
  redis.start();
  EXPECT_EQ(reply_from(outside(), redis.port(), {"DEBUG", "SLEEP", "0"}), kDebugRefused);
  EXPECT_EQ(redis.client().command_raw({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
}

}  // namespace
}  // namespace basalt::test
