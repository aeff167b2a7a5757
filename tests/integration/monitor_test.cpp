// tests/integration/monitor_test.cpp — MONITOR against redis-server: the same commands give
// the same feed (after the timestamp and the client address): quoting of odd bytes, the db
// after SELECT, transactions, secrets redacted, administrative and rejected commands left
// out. RESET ends monitoring; a disconnected monitor is forgotten.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

// The monitor's lines for the script, each as "[db] args" (time and address dropped).
std::vector<std::string> feed_for(ServerProcess& server) {
  RespClient monitor = server.client();
  RespClient c = server.client();
  EXPECT_EQ(monitor.command_raw({"MONITOR"}), "+OK\r\n");
  const std::vector<std::vector<std::string>> script = {
      {"SET", "a", "1"},
      {"GET", "a"},
      {"SELECT", "3"},
      {"SET", "q\"uote\\", std::string("line\nbreak\t\x01\xff", 13)},
      {"MULTI"},
      {"INCR", "n"},
      {"EXEC"},
      {"AUTH", "secret"},
      {"CONFIG", "GET", "maxmemory"},
      {"CLIENT", "SETNAME", "me"},
      {"CLIENT", "LIST"},
      {"GET"},
      {"NOSUCH"},
      {"ECHO", "end"},
  };
  for (const auto& cmd : script) c.command_raw(cmd);
  const std::regex prefix(R"(^\+\d+\.\d{6} \[(\d+) [^\]]+\] )");
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) {
    std::string line = monitor.read_reply_raw();
    std::smatch m;
    if (!std::regex_search(line, m, prefix)) {
      lines.push_back("unexpected: " + escape_bytes(line));
      break;
    }
    lines.push_back("[" + m[1].str() + "] " + escape_bytes(line.substr(m[0].length())));
    if (line.find("\"ECHO\" \"end\"") != std::string::npos) break;
  }
  // RESET ends monitoring: later commands are not fed.
  EXPECT_EQ(monitor.command_raw({"RESET"}), "+RESET\r\n");
  c.command_raw({"SET", "after", "reset"});
  EXPECT_EQ(monitor.command_raw({"PING"}), "+PONG\r\n");
  return lines;
}

TEST(Monitor, FeedMatchesRedis) {
  BasaltServer basalt;
  basalt.start();
  auto mine = feed_for(basalt);
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(mine.front(), "[0] " + escape_bytes("\"SET\" \"a\" \"1\"\r\n"));
  EXPECT_EQ(mine.back(), "[3] " + escape_bytes("\"ECHO\" \"end\"\r\n"));
  std::string all;
  for (const auto& l : mine) all += l + "\n";
  EXPECT_EQ(all.find("secret"), std::string::npos) << all;
  EXPECT_EQ(all.find("maxmemory"), std::string::npos) << all;  // CONFIG is administrative
  if (!RedisOracle::available()) {
    GTEST_SKIP() << RedisOracle::kBinary
                 << " is not installed: the comparison with Redis did not run";
  }
  RedisOracle redis;
  redis.start();
  EXPECT_EQ(mine, feed_for(redis));
}

TEST(Monitor, ADisconnectedMonitorIsForgotten) {
  BasaltServer basalt;
  basalt.start();
  RespClient c = basalt.client();
  {
    RespClient monitor = basalt.client();
    ASSERT_EQ(monitor.command_raw({"MONITOR"}), "+OK\r\n");
    EXPECT_NE(c.get_string({"CLIENT", "LIST"}).find("flags=O"), std::string::npos);
  }
  ASSERT_TRUE(wait_until(
      [&] {
        return c.get_string({"CLIENT", "LIST"}).find("flags=O") == std::string::npos;
      },
      std::chrono::seconds(5)));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(c.command_raw({"SET", "k", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace basalt::test
