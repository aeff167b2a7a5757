// tests/integration/preauth_limits_test.cpp — what a client may make the server hold before it
// authenticates, and failed AUTH accounting:
//  - with requirepass, an unauthenticated client may announce at most 10 arguments of at most
//    16 KB each: beyond that the reply (and the close) is byte for byte redis-server 7.0's;
//  - AUTH pipelined with a big command in one write lifts the limits for that command;
//  - announcing a 512 MB argument (16 bytes) does not grow the server's RSS, with or without a
//    password: the read buffer grows as data arrives, never to an announced size, and a big
//    value sent in pieces still arrives whole;
//  - failed AUTH / HELLO AUTH count in INFO stats acl_access_denied_auth.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr long long kRssMarginKb = 50 * 1024;  // generous: the bug costs 512 MB
const std::string kAnnounce512Mb = "*1\r\n$536870000\r\n";

// VmRSS of `pid` in kB (from /proc/<pid>/status), -1 if unreadable.
long long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// What the server sends for `bytes` on a new connection: its replies, then "<closed>" if it
// closed the connection (else "<open>", after `then` — more bytes — got their reply).
std::string outcome(ServerProcess& server, const std::string& bytes, const std::string& then) {
  RespClient c = server.client();
  c.send_raw(bytes);
  std::string out;
  if (then.empty()) {
    if (!c.closed_by_peer(5s)) return "<open>";
    while (c.buffered_bytes() > 0) out += c.read_reply_raw();
    return out + "<closed>";
  }
  c.send_raw(then);
  out = c.read_reply_raw();
  return out + (c.closed_by_peer(200ms) ? "<closed>" : "<open>");
}

// Sizes a client's announced request up front: within or beyond the limits.
struct Case {
  std::string bytes;  // sent first
  std::string then;   // sent next when the connection must stay open ("" when it closes)
};

std::vector<Case> cases() {
  std::string ten_args = "*10\r\n";
  for (int i = 0; i < 10; ++i) ten_args += "$4\r\nECHO\r\n";
  const std::string big(16384, 'x');
  return {
      {"*11\r\n", ""},
      {"*10\r\n", ten_args.substr(5)},
      {"*2\r\n$4\r\nECHO\r\n$16385\r\n", ""},
      {"*2\r\n$4\r\nECHO\r\n$16384\r\n", big + "\r\n"},
      {kAnnounce512Mb, ""},
      {"*1\r\n$16385\r\n", ""},
  };
}

class PreauthLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  }
};

TEST_F(PreauthLimits, SameRepliesAndClosesAsRedis) {
  BasaltServer basalt({"--requirepass", "secret"});
  RedisOracle redis({"--requirepass", "secret"});
  basalt.start();
  redis.start();
  for (const Case& c : cases()) {
    SCOPED_TRACE(escape_bytes(c.bytes));
    const std::string expected = outcome(redis, c.bytes, c.then);
    EXPECT_EQ(outcome(basalt, c.bytes, c.then), expected);
  }
  // The texts themselves (so a change on either side is noticed).
  EXPECT_EQ(outcome(basalt, "*11\r\n", ""),
            "-ERR Protocol error: unauthenticated multibulk length\r\n<closed>");
  EXPECT_EQ(outcome(basalt, kAnnounce512Mb, ""),
            "-ERR Protocol error: unauthenticated bulk length\r\n<closed>");
}

// AUTH and a 12-argument command in one write: the command runs after AUTH, unlimited.
TEST_F(PreauthLimits, AuthLiftsLimitsForPipelinedCommands) {
  BasaltServer basalt({"--requirepass", "secret"});
  RedisOracle redis({"--requirepass", "secret"});
  basalt.start();
  redis.start();
  std::vector<std::string> rpush = {"RPUSH", "l"};
  for (int i = 0; i < 10; ++i) rpush.push_back(std::string(20000, 'a' + i));
  const std::string wire = encode_command({"AUTH", "secret"}) + encode_command(rpush);
  for (ServerProcess* s : std::vector<ServerProcess*>{&basalt, &redis}) {
    SCOPED_TRACE(s->name());
    RespClient c = s->client();
    c.send_raw(wire);
    EXPECT_EQ(c.read_reply_raw(), "+OK\r\n");
    EXPECT_EQ(c.read_reply_raw(), ":10\r\n");
  }
}

// Without a password there is no such limit, but an announced size is still not allocated.
TEST(PreauthMemory, AnnouncedBulkDoesNotGrowRssWithoutPassword) {
  BasaltServer basalt;
  basalt.start();
  RespClient probe = basalt.client();
  ASSERT_TRUE(probe.command({"PING"}).is_status("PONG"));
  const long long before = rss_kb(basalt.pid());
  ASSERT_GT(before, 0);

  std::vector<RespClient> announcers;
  for (int i = 0; i < 2; ++i) {
    announcers.push_back(basalt.client());
    announcers.back().send_raw(kAnnounce512Mb);
  }
  // The server has read them: CLIENT LIST shows both clients holding the announcement.
  const std::string held = " qbuf=" + std::to_string(kAnnounce512Mb.size()) + " ";
  ASSERT_TRUE(wait_until([&] {
    const std::string list = probe.get_string({"CLIENT", "LIST"});
    size_t found = 0;
    for (size_t pos = 0; (pos = list.find(held, pos)) != std::string::npos; ++pos) ++found;
    return found == 2;
  })) << probe.get_string({"CLIENT", "LIST"});
  const long long after = rss_kb(basalt.pid());
  EXPECT_LT(after - before, kRssMarginKb) << "RSS " << before << " kB -> " << after << " kB";

  // A big value sent in pieces still arrives whole, and the buffer grew only with it.
  const std::string value(20 << 20, 'v');
  RespClient writer = basalt.client();
  const std::string wire = encode_command({"SET", "big", value});
  for (size_t off = 0; off < wire.size(); off += 1 << 20)
    writer.send_raw(wire.substr(off, 1 << 20));
  EXPECT_EQ(writer.read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(writer.get_integer({"STRLEN", "big"}), static_cast<long long>(value.size()));
  EXPECT_TRUE(probe.command({"PING"}).is_status("PONG"));
}

TEST(PreauthMemory, AnnouncedBulkDoesNotGrowRssWithPassword) {
  BasaltServer basalt({"--requirepass", "secret"});
  basalt.start();
  RespClient probe = basalt.client();
  ASSERT_TRUE(probe.command({"AUTH", "secret"}).is_status("OK"));
  const long long before = rss_kb(basalt.pid());
  ASSERT_GT(before, 0);
  for (int i = 0; i < 4; ++i) {
    RespClient c = basalt.client();
    c.send_raw(kAnnounce512Mb);
    ASSERT_TRUE(c.closed_by_peer(10s));
    EXPECT_EQ(c.read_reply_raw(), "-ERR Protocol error: unauthenticated bulk length\r\n");
  }
  const long long after = rss_kb(basalt.pid());
  EXPECT_LT(after - before, kRssMarginKb) << "RSS " << before << " kB -> " << after << " kB";
  EXPECT_TRUE(probe.command({"PING"}).is_status("PONG"));
}

// Failed AUTH and HELLO AUTH attempts count in INFO stats acl_access_denied_auth (the name
// Redis 7.2 gives it; 7.0 has no such field); successes and AUTH without a password do not.
TEST(AuthFailures, CountedInInfoStats) {
  BasaltServer basalt({"--requirepass", "secret"});
  basalt.start();
  RespClient c = basalt.client();
  EXPECT_EQ(c.command_raw({"AUTH", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.command_raw({"AUTH", "secre"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.command_raw({"AUTH", "secret!"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_TRUE(c.command({"HELLO", "2", "AUTH", "default", "nope"}).is_error());
  EXPECT_TRUE(c.command({"AUTH", "nobody", "secret"}).is_error());
  EXPECT_TRUE(c.command({"AUTH", "secret"}).is_status("OK"));
  EXPECT_TRUE(c.command({"AUTH", "default", "secret"}).is_status("OK"));
  EXPECT_EQ(info_int(c, "stats", "acl_access_denied_auth"), 5);
  EXPECT_TRUE(c.command({"CONFIG", "RESETSTAT"}).is_status("OK"));
  EXPECT_EQ(info_int(c, "stats", "acl_access_denied_auth"), 0);

  BasaltServer open_server;
  open_server.start();
  RespClient o = open_server.client();
  EXPECT_TRUE(o.command({"AUTH", "whatever"}).is_error());  // no password configured
  EXPECT_EQ(info_field(o, "stats", "acl_access_denied_auth"), "0");
}

}  // namespace
}  // namespace basalt::test
