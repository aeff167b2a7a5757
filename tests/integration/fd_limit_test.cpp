// tests/integration/fd_limit_test.cpp — a node started with few file descriptors (prlimit
// --nofile=64:64, and without CAP_SYS_RESOURCE so it cannot raise the limit):
//  - maxclients is clamped to the limit minus 32 reserved descriptors, logged, and shown by
//    CONFIG GET and INFO;
//  - once idle admin API connections use up every descriptor, both accept loops (RESP and
//    admin) keep failing with EMFILE: they back off and log once per episode, and both serve
//    again as soon as descriptors are free;
//  - CONFIG SET maxclients above what the limit holds fails with Redis 7.0's error (checked
//    against the real redis-server under the same limit) and changes nothing;
//  - tcp-keepalive (default 300) puts SO_KEEPALIVE on client sockets (ss shows the timer).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

size_t count_lines(const std::string& text) {
  size_t n = 0;
  for (char ch : text) n += ch == '\n';
  return n;
}

// The output of a shell command ("" if it cannot run).
std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

bool tools_available() {
  return ::access("/usr/bin/prlimit", X_OK) == 0 && ::access("/usr/bin/setpriv", X_OK) == 0;
}

TEST(FdLimit, MaxclientsClampedAndAcceptLoopsSurviveExhaustion) {
  if (!tools_available()) GTEST_SKIP() << "needs prlimit and setpriv (util-linux)";
  const int http_port = free_port();
  BasaltServer basalt({"--http-port", std::to_string(http_port)});
  basalt.set_command_prefix(
      {"prlimit", "--nofile=64:64", "--", "setpriv", "--bounding-set=-sys_resource", "--"});
  basalt.start();
  RespClient c = basalt.client();
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "maxclients"}),
            (std::vector<std::string>{"maxclients", "32"}));
  EXPECT_EQ(info_int(c, "clients", "maxclients"), 32);
  EXPECT_NE(basalt.log().find("maxclients has been reduced to 32"), std::string::npos)
      << basalt.log_tail();
  c.close();
  const size_t lines_before = count_lines(basalt.log());

  // Idle admin connections (no request sent) hold descriptors until none is left.
  std::vector<std::unique_ptr<RespClient>> hogs;
  for (int i = 0; i < 60; ++i) {
    hogs.push_back(std::make_unique<RespClient>(http_port));
    hogs.back()->connect(2s);
  }
  auto appears = [&](const std::string& text) {
    return wait_until([&] { return basalt.log().find(text) != std::string::npos; }, 20s);
  };
  ASSERT_TRUE(appears("accepting admin API connections failed: Too many open files"))
      << basalt.log_tail();
  // Now no descriptor is left: a client connects (the kernel queues it) but is not served.
  RespClient waiting = basalt.client();
  waiting.send_command({"PING"});
  ASSERT_TRUE(appears("accepting client connections failed: Too many open files"))
      << basalt.log_tail();

  hogs.clear();  // frees the descriptors: both loops must accept again
  waiting.set_timeout(20s);
  EXPECT_TRUE(waiting.read_reply().is_status("PONG"));
  RespClient after = basalt.client(10s);
  EXPECT_TRUE(after.command({"PING"}).is_status("PONG"));
  std::string health;
  EXPECT_TRUE(wait_until(
      [&] {
        health = http_get(http_port, "/health");
        return health.find("200 OK") != std::string::npos;
      },
      20s))
      << health;

  // Per episode and loop: one line when it starts, one when it ends (plus the odd other line).
  const size_t logged = count_lines(basalt.log()) - lines_before;
  EXPECT_LT(logged, 100u) << basalt.log_tail();
  EXPECT_NE(basalt.log().find("accepting client connections again"), std::string::npos)
      << basalt.log_tail();
  EXPECT_NE(basalt.log().find("accepting admin API connections again"), std::string::npos)
      << basalt.log_tail();
}

// Under 64 descriptors (and no way to raise them) 32 clients fit: a raise past 32 fails and
// changes nothing (the other directive of the same CONFIG SET neither), lowering and raising
// within the limit succeeds. The replies are redis-server's, byte for byte.
TEST(FdLimit, ConfigSetMaxclientsBeyondTheLimitFailsAsRedis) {
  if (!tools_available()) GTEST_SKIP() << "needs prlimit and setpriv (util-linux)";
  const std::vector<std::string> limited = {
      "prlimit", "--nofile=64:64", "--", "setpriv", "--bounding-set=-sys_resource", "--"};
  BasaltServer basalt;
  basalt.set_command_prefix(limited);
  basalt.start();
  RespClient c = basalt.client();
  const std::string refused =
      "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
      "system is not able to handle the specified number of clients, try with 32";
  auto error_of = [](const Reply& reply) { return reply.is_error() ? reply.str : std::string(); };
  EXPECT_EQ(error_of(c.command({"CONFIG", "SET", "maxclients", "33"})), refused);
  EXPECT_EQ(error_of(c.command({"CONFIG", "SET", "timeout", "7", "maxclients", "1000"})), refused);
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "timeout"}),
            (std::vector<std::string>{"timeout", "0"}));
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "maxclients"}),
            (std::vector<std::string>{"maxclients", "32"}));
  EXPECT_NE(basalt.log().find("Failed applying new configuration"), std::string::npos)
      << basalt.log_tail();
  EXPECT_TRUE(c.command({"CONFIG", "SET", "maxclients", "10"}).is_status("OK"));
  EXPECT_TRUE(c.command({"CONFIG", "SET", "maxclients", "32"}).is_status("OK"));
  EXPECT_EQ(info_int(c, "clients", "maxclients"), 32);

  if (!RedisOracle::available()) return;
  RedisOracle redis;
  redis.set_command_prefix(limited);
  redis.start();
  RespClient r = redis.client();
  EXPECT_EQ(error_of(r.command({"CONFIG", "SET", "maxclients", "33"})), refused);
}

TEST(TcpKeepalive, ClientSocketsHaveKeepalive) {
  if (::access("/usr/bin/ss", X_OK) != 0 && ::access("/bin/ss", X_OK) != 0)
    GTEST_SKIP() << "needs ss (iproute2)";
  BasaltServer basalt;
  basalt.start();
  RespClient c = basalt.client();
  ASSERT_TRUE(c.command({"PING"}).is_status("PONG"));
  const std::string filter = "'( sport = :" + std::to_string(basalt.port()) + " )'";
  // The server's sockets for its clients with a keepalive timer shown (ss shows the
  // retransmit timer instead while a reply is unacknowledged: poll until it settles).
  std::string sockets;
  auto keepalive_timers = [&](size_t sockets_wanted) -> size_t {
    sockets = shell("ss -tnoH state established " + filter);
    if (count_lines(sockets) != sockets_wanted) return SIZE_MAX;
    size_t timers = 0;
    for (size_t pos = 0; (pos = sockets.find("timer:(keepalive", pos)) != std::string::npos; ++pos)
      ++timers;
    return timers;
  };
  EXPECT_TRUE(wait_until([&] { return keepalive_timers(1) == 1; }, 10s)) << sockets;

  ASSERT_TRUE(c.command({"CONFIG", "SET", "tcp-keepalive", "0"}).is_status("OK"));
  RespClient d = basalt.client();
  ASSERT_TRUE(d.command({"PING"}).is_status("PONG"));
  // Only the first connection (made with keepalive on) has the timer now.
  EXPECT_TRUE(wait_until(
      [&] { return keepalive_timers(2) == 1 && sockets.find("timer:(on") == std::string::npos; },
      10s))
      << sockets;
}

}  // namespace
}  // namespace basalt::test
