// tests/integration/blocking_edges_test.cpp — blocking commands at the edges: a list that
// appears by RENAME / MOVE serves a blocked client, and inside MULTI blocking commands
// answer at once with their timeout reply (compared with Redis byte for byte).
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

TEST(BlockingEdges, RenameAndMoveServeBlockedClients) {
  BasaltServer server;
  server.start();
  auto blocked = server.client();
  blocked.send_command({"BLPOP", "dst", "10"});
  auto c = server.client();
  ASSERT_TRUE(wait_until([&] { return info_int(c, "clients", "blocked_clients") == 1; }, 5s));
  c.command({"RPUSH", "src", "a", "b"});
  ASSERT_TRUE(c.command({"RENAME", "src", "dst"}).is_status("OK"));
  Reply r = blocked.read_reply();
  ASSERT_EQ(r.type, Reply::Array) << r;
  EXPECT_EQ(r.elements.at(0).str, "dst");
  EXPECT_EQ(r.elements.at(1).str, "a");

  blocked.send_command({"BZPOPMIN", "z", "10"});
  ASSERT_TRUE(wait_until([&] { return info_int(c, "clients", "blocked_clients") == 1; }, 5s));
  c.command({"SELECT", "1"});
  c.command({"ZADD", "z", "1", "m"});
  EXPECT_EQ(c.get_integer({"MOVE", "z", "0"}), 1);
  r = blocked.read_reply();
  ASSERT_EQ(r.type, Reply::Array) << r;
  EXPECT_EQ(r.elements.at(1).str, "m");
}

TEST(BlockingEdges, BlockingCommandsInsideMultiMatchRedis) {
  BasaltServer basalt;
  basalt.start();
  RedisOracle redis;
  redis.start();
  auto b = basalt.client();
  auto o = redis.client();
  const std::vector<std::vector<std::string>> script = {
      {"MULTI"},
      {"BLPOP", "none", "0"},
      {"BLMOVE", "none", "dst", "LEFT", "RIGHT", "0"},
      {"BRPOPLPUSH", "none", "dst", "0"},
      {"BZPOPMIN", "none", "0"},
      {"WAIT", "0", "0"},
      {"EXEC"}};
  for (const auto& cmd : script) EXPECT_EQ(b.command_raw(cmd), o.command_raw(cmd)) << cmd[0];
}

}  // namespace
}  // namespace basalt::test
