// tests/integration/slowlog_test.cpp — SLOWLOG against redis-server: the same commands with
// slowlog-log-slower-than 0 leave the same entries (ids, arguments as shortened and redacted
// by Redis, client names), and GET / LEN / RESET / HELP, the max length and the errors match.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

// SLOWLOG GET -1 without what differs between two servers (time, duration, peer address).
std::vector<std::string> entries(RespClient& c) {
  std::vector<std::string> out;
  Reply all = c.command({"SLOWLOG", "GET", "-1"});
  for (const Reply& e : all.elements) {
    if (e.elements.size() != 6) {
      out.push_back("malformed: " + e.to_string());
      continue;
    }
    out.push_back(e.elements[0].to_string() + " " + e.elements[3].to_string() +
                  " name=" + e.elements[5].to_string());
  }
  return out;
}

std::vector<std::string> run_scenario(ServerProcess& server) {
  std::vector<std::string> seen;
  RespClient c = server.client();
  auto note = [&](const std::vector<std::string>& cmd) { seen.push_back(c.command_raw(cmd)); };
  note({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  note({"SLOWLOG", "RESET"});
  note({"CLIENT", "SETNAME", "logger"});
  note({"SET", "a", "1"});
  note({"SET", "long", std::string(200, 'v')});
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 20; ++i) {
    mset.push_back("k" + std::to_string(i));
    mset.push_back("v");
  }
  note(mset);
  note({"AUTH", "nobody", "secret"});
  note({"CONFIG", "SET", "masterauth", "hidden"});
  note({"MULTI"});
  note({"INCR", "n"});
  note({"EXEC"});
  for (const auto& e : entries(c)) seen.push_back(e);
  note({"SLOWLOG", "LEN"});
  note({"SLOWLOG", "GET", "-2"});
  note({"SLOWLOG", "GET", "x"});
  note({"SLOWLOG", "HELP"});
  note({"SLOWLOG", "NOPE"});
  note({"CONFIG", "SET", "slowlog-max-len", "3"});
  note({"PING"});
  note({"SLOWLOG", "LEN"});
  note({"CONFIG", "GET", "slowlog-max-len"});  // one by one: a glob's order is Redis's dict's
  note({"CONFIG", "GET", "slowlog-log-slower-than"});
  note({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  note({"SLOWLOG", "RESET"});
  note({"GET", "a"});
  note({"SLOWLOG", "LEN"});
  return seen;
}

TEST(SlowLog, EntriesAndRepliesMatchRedis) {
  BasaltServer basalt;
  basalt.start();
  auto mine = run_scenario(basalt);
  // Oracle-independent checks: arguments shortened and secrets redacted as Redis does.
  std::string all;
  for (const auto& s : mine) all += s + "\n";
  EXPECT_NE(all.find("... (72 more bytes)"), std::string::npos) << all;
  EXPECT_NE(all.find("... (10 more arguments)"), std::string::npos) << all;
  EXPECT_EQ(all.find("secret"), std::string::npos) << all;
  EXPECT_EQ(all.find("hidden"), std::string::npos) << all;
  EXPECT_NE(all.find("\"(redacted)\""), std::string::npos) << all;
  if (!RedisOracle::available()) {
    GTEST_SKIP() << RedisOracle::kBinary
                 << " is not installed: the comparison with Redis did not run";
  }
  RedisOracle redis;
  redis.start();
  auto theirs = run_scenario(redis);
  ASSERT_EQ(mine.size(), theirs.size());
  for (size_t i = 0; i < mine.size(); ++i)
    EXPECT_EQ(escape_bytes(mine[i], 600), escape_bytes(theirs[i], 600)) << "#" << i;
}

}  // namespace
}  // namespace basalt::test
