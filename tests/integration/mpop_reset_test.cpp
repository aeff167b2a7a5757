// tests/integration/mpop_reset_test.cpp — ZMPOP / BZMPOP, CLIENT UNBLOCK and RESET, each run
// as the same scripted scenario against basalt and redis-server and compared reply for reply;
// plus ZMPOP / BZMPOP on a master reaching its replica as the same dataset.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using Transcript = std::vector<std::string>;  // raw replies, in the order the scenario read them

// Runs `scenario` on a fresh basalt and (if installed) a fresh redis-server started with the
// same extra arguments, and expects the same transcripts. Returns basalt's.
Transcript run_on_both(const std::function<void(ServerProcess&, Transcript&)>& scenario,
                       const std::vector<std::string>& extra_args = {}) {
  Transcript mine, theirs;
  BasaltServer basalt(extra_args);
  basalt.start();
  scenario(basalt, mine);
  if (!RedisOracle::available()) {
    // Marks the test skipped (a helper returning a value cannot use GTEST_SKIP itself).
    [] {
      GTEST_SKIP() << RedisOracle::kBinary
                   << " is not installed: the comparison with Redis did not run";
    }();
    return mine;
  }
  RedisOracle redis(extra_args);
  redis.start();
  scenario(redis, theirs);
  EXPECT_EQ(mine.size(), theirs.size());
  for (size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i)
    EXPECT_EQ(escape_bytes(mine[i]), escape_bytes(theirs[i])) << "reply #" << i;
  return mine;
}

// Waits until `n` clients are blocked (INFO clients reads the same on both servers).
void wait_blocked(RespClient& c, long long n) {
  ASSERT_TRUE(wait_until([&] { return info_int(c, "clients", "blocked_clients") == n; }, 5s));
}

TEST(Mpop, ZmpopRepliesAndErrorsMatchRedis) {
  auto t = run_on_both([](ServerProcess& s, Transcript& out) {
    RespClient c = s.client();
    const std::vector<std::vector<std::string>> script = {
        {"ZADD", "z1", "1", "a", "2", "b", "3", "c", "-1.5", "n"},
        {"ZADD", "z2", "10", "x"},
        {"SET", "str", "v"},
        {"ZMPOP", "2", "none", "z1", "MIN"},
        {"ZMPOP", "1", "z1", "MAX", "COUNT", "2"},
        {"ZMPOP", "2", "z1", "z2", "min", "count", "10"},
        {"EXISTS", "z1"},
        {"ZMPOP", "1", "z1", "MIN"},
        {"ZMPOP", "2", "none", "str", "MIN"},
        {"ZMPOP", "2", "z2", "str", "MIN"},
        {"ZMPOP", "0", "z2", "MIN"},
        {"ZMPOP", "-1", "z2", "MIN"},
        {"ZMPOP", "x", "z2", "MIN"},
        {"ZMPOP", "3", "z2", "MIN"},
        {"ZMPOP", "1", "z2", "UP"},
        {"ZMPOP", "1", "z2", "UP", "COUNT", "0"},
        {"ZMPOP", "1", "z2", "MIN", "COUNT", "0"},
        {"ZMPOP", "1", "z2", "MIN", "COUNT", "-3"},
        {"ZMPOP", "1", "z2", "MIN", "COUNT"},
        {"ZMPOP", "1", "z2", "MIN", "COUNT", "1", "COUNT", "1"},
        {"ZMPOP", "1", "z2", "MIN", "LIMIT", "1"},
        {"ZMPOP", "1"},
        {"BZMPOP", "0.01", "1", "none", "MIN"},
        {"BZMPOP", "-1", "1", "none", "MIN"},
        {"BZMPOP", "x", "1", "none", "MIN"},
        {"BZMPOP", "x", "0", "none", "MIN"},
        {"LMPOP", "1", "none", "UP", "COUNT", "0"},
        {"LMPOP", "0", "none", "LEFT"},
        {"MULTI"},
        {"BZMPOP", "0", "1", "none", "MAX"},
        {"ZADD", "z3", "5", "q"},
        {"BZMPOP", "0", "1", "z3", "MAX"},
        {"EXEC"},
    };
    for (const auto& cmd : script) out.push_back(c.command_raw(cmd));
  });
  // Spot checks that do not depend on the oracle.
  EXPECT_EQ(t[4], array({bulk("z1"),
                         array({array({bulk("c"), bulk("3")}), array({bulk("b"), bulk("2")})})}));
  EXPECT_EQ(t[7], nil_array());
  EXPECT_EQ(t[8], err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(t[10], err("ERR numkeys should be greater than 0"));
}

TEST(Mpop, BzmpopServedAfterAWaitMatchesRedis) {
  run_on_both([](ServerProcess& s, Transcript& out) {
    RespClient blocked = s.client();
    RespClient c = s.client();
    blocked.send_command({"BZMPOP", "5", "2", "za", "zb", "MAX", "COUNT", "2"});
    wait_blocked(c, 1);
    out.push_back(c.command_raw({"ZADD", "zb", "1", "m1", "2", "m2", "3", "m3"}));
    out.push_back(blocked.read_reply_raw());
    out.push_back(c.command_raw({"ZRANGE", "zb", "0", "-1", "WITHSCORES"}));
    // A timeout answers a nil array.
    out.push_back(blocked.command_raw({"BZMPOP", "0.05", "1", "za", "MIN"}));
  });
}

TEST(ClientUnblock, EndsBlockingPopsAsTimeoutOrErrorLikeRedis) {
  auto t = run_on_both([](ServerProcess& s, Transcript& out) {
    RespClient blocked = s.client();
    RespClient c = s.client();
    const std::string id = std::to_string(blocked.get_integer({"CLIENT", "ID"}));
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", id}));  // not blocked: 0
    blocked.send_command({"BLPOP", "l", "0"});
    wait_blocked(c, 1);
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", id, "MAYBE"}));
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", id, "TIMEOUT", "x"}));
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", "abc"}));
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", id}));
    out.push_back(blocked.read_reply_raw());
    blocked.send_command({"BZMPOP", "0", "1", "z", "MIN"});
    wait_blocked(c, 1);
    out.push_back(c.command_raw({"CLIENT", "UNBLOCK", id, "error"}));
    out.push_back(blocked.read_reply_raw());
    // The unblocked client left every queue: a push now is not popped for it.
    out.push_back(c.command_raw({"RPUSH", "l", "x"}));
    out.push_back(c.command_raw({"LLEN", "l"}));
    out.push_back(blocked.command_raw({"PING"}));
  });
  EXPECT_EQ(t[0], integer(0));
  EXPECT_EQ(t[4], integer(1));
  EXPECT_EQ(t[5], nil_array());
  EXPECT_EQ(t[7], err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_EQ(t[9], integer(1));
}

TEST(Reset, RestoresTheFreshConnectionStateLikeRedis) {
  auto t = run_on_both([](ServerProcess& s, Transcript& out) {
    RespClient c = s.client();
    RespClient other = s.client();
    const std::vector<std::vector<std::string>> script = {{"SELECT", "3"},
                                                          {"SET", "k", "db3"},
                                                          {"CLIENT", "SETNAME", "named"},
                                                          {"WATCH", "w"},
                                                          {"MULTI"},
                                                          {"SET", "k", "queued"},
                                                          {"RESET"},
                                                          {"GET", "k"},
                                                          {"CLIENT", "GETNAME"},
                                                          {"EXEC"},
                                                          {"SUBSCRIBE", "ch"},
                                                          {"RESET"},
                                                          {"PING"},
                                                          {"PSUBSCRIBE", "p*"},
                                                          {"RESET"},
                                                          {"PUBSUB", "NUMPAT"}};
    for (const auto& cmd : script) out.push_back(c.command_raw(cmd));
    // WATCH is gone after RESET: a change to the key no longer aborts EXEC.
    out.push_back(c.command_raw({"WATCH", "w"}));
    out.push_back(c.command_raw({"RESET"}));
    out.push_back(other.command_raw({"SET", "w", "changed"}));
    out.push_back(c.command_raw({"MULTI"}));
    out.push_back(c.command_raw({"GET", "w"}));
    out.push_back(c.command_raw({"EXEC"}));
    out.push_back(c.command_raw({"RESET", "extra"}));
  });
  EXPECT_EQ(t[6], "+RESET\r\n");
  EXPECT_EQ(t[7], nil());         // back in db 0
  EXPECT_EQ(t[8], nil());         // no name
  EXPECT_EQ(t[12], "+PONG\r\n");  // no longer subscribed
  EXPECT_EQ(t[21], array({bulk("changed")}));
}

TEST(Reset, DropsAuthenticationWhenAPasswordIsRequiredLikeRedis) {
  auto t = run_on_both(
      [](ServerProcess& s, Transcript& out) {
        RespClient c = s.client();
        out.push_back(c.command_raw({"RESET"}));  // allowed before AUTH
        out.push_back(c.command_raw({"AUTH", "secret"}));
        out.push_back(c.command_raw({"SET", "k", "v"}));
        out.push_back(c.command_raw({"RESET"}));
        out.push_back(c.command_raw({"GET", "k"}));
      },
      {"--requirepass", "secret"});
  EXPECT_EQ(t[0], "+RESET\r\n");
  EXPECT_EQ(t[4], err("NOAUTH Authentication required."));
}

TEST(Mpop, PopsReachTheReplicaAsTheSameDataset) {
  MasterAndReplica servers;
  BasaltServer& master = servers.master;
  RespClient m = master.client();
  RespClient r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  for (int i = 0; i < 50; ++i)
    m.command(
        {"ZADD", "z" + std::to_string(i % 3), std::to_string(i % 7), "m" + std::to_string(i)});
  m.command({"ZMPOP", "2", "z0", "z1", "MIN", "COUNT", "4"});
  m.command({"ZMPOP", "1", "z2", "MAX"});
  RespClient blocked = master.client();
  blocked.send_command({"BZMPOP", "5", "1", "late", "MAX", "COUNT", "2"});
  wait_blocked(m, 1);
  m.command({"ZADD", "late", "1", "a", "2", "b", "3", "c"});
  Reply served = blocked.read_reply();
  ASSERT_EQ(served.type, Reply::Array) << served;
  ASSERT_EQ(m.get_integer({"WAIT", "1", "5000"}), 1);
  EXPECT_EQ(r.command_raw({"ZRANGE", "late", "0", "-1"}), bulks({"a"}));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
