// tests/integration/acl_selectors_test.cpp — ACL selectors and per-key read/write permissions
// as Redis 7.0, differential (against Debian's redis-server, byte for byte):
//  - `(...)` selectors in ACL SETUSER (one argument or split over several), their errors
//    (unmatched parenthesis, a user rule inside a selector), clearselectors, reset; ACL
//    GETUSER's selectors field and ACL LIST's lines;
//  - ACL DRYRUN and real calls: a call is allowed when the root permissions or one selector
//    allows all of it, else the most relevant refusal is reported (and logged);
//  - %R~ / %W~ judged per key as Redis 7.0's key specs say (SET with and without GET, LMOVE,
//    COPY, EXISTS, OBJECT ENCODING, numkeys and keyword keys; the commands basalt lacks,
//    BITFIELD, SORT, XREAD, are covered by tests/unit/acl_selector_test.cpp);
//  - selectors in `user` lines survive CONFIG REWRITE and a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class AclSelectors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
    pair_.emplace();
  }
  std::optional<ServerPair> pair_;
};

TEST_F(AclSelectors, SetuserGetuserAndListAsRedis) {
  ServerPair& p = *pair_;
  std::vector<Command> script = {
      {"ACL", "SETUSER", "s1", "on", "nopass", "(~x", "+get)", "(%R~a*", "+@read)"},
      {"ACL", "GETUSER", "s1"},
      {"ACL", "LIST"},
      {"ACL", "SETUSER", "s1", "(&ch* %W~w* +set)"},
      {"ACL", "GETUSER", "s1"},
      {"ACL", "SETUSER", "s2", "()"},
      {"ACL", "SETUSER", "s2", "(allkeys allchannels allcommands)"},
      {"ACL", "SETUSER", "s2", "(  ~a   ~b  +get  )"},
      {"ACL", "LIST"},
      {"ACL", "SETUSER", "s3", "(~x", "+get"},
      {"ACL", "SETUSER", "s3", "on", "(on)"},
      {"ACL", "SETUSER", "s3", "(~x", "nosuch)"},
      {"ACL", "SETUSER", "s3", "(+nosuchcommand)"},
      {"ACL", "SETUSER", "s3", "(~x"},
      {"ACL", "SETUSER", "s3", "(", "~x", ")"},
      {"ACL", "SETUSER", "s3", "(~*", "~x)"},
      {"ACL", "GETUSER", "s3"},
      {"ACL", "SETUSER", "s1", "clearselectors"},
      {"ACL", "GETUSER", "s1"},
      {"ACL", "SETUSER", "s2", "reset"},
      {"ACL", "GETUSER", "s2"},
      {"ACL", "LIST"},
  };
  EXPECT_EQ(p.same_all(script), "");
}

TEST_F(AclSelectors, DryrunAndCallsJudgedPerSelectorAndKeySpec) {
  ServerPair& p = *pair_;
  ASSERT_EQ(p.same_all({
                {"ACL", "SETUSER", "u", "on", ">pw", "%R~r*", "%W~w*", "~k*", "&ch", "+@all",
                 "(~x* +get)", "(%R~y* +@read &other)", "(~z* resetchannels +publish)"},
                {"SET", "k1", "v"},
            }),
            "");
  std::vector<Command> dry = {
      {"ACL", "DRYRUN", "u", "get", "x1"},
      {"ACL", "DRYRUN", "u", "get", "y1"},
      {"ACL", "DRYRUN", "u", "set", "x1", "v"},
      {"ACL", "DRYRUN", "u", "get", "nokey"},
      {"ACL", "DRYRUN", "u", "set", "w1", "v"},
      {"ACL", "DRYRUN", "u", "set", "w1", "v", "GET"},
      {"ACL", "DRYRUN", "u", "set", "r1", "v"},
      {"ACL", "DRYRUN", "u", "get", "w1"},
      {"ACL", "DRYRUN", "u", "exists", "w1", "r1"},

      {"ACL", "DRYRUN", "u", "lmove", "r1", "w1", "LEFT", "RIGHT"},
      {"ACL", "DRYRUN", "u", "lmove", "k1", "w1", "LEFT", "RIGHT"},
      {"ACL", "DRYRUN", "u", "copy", "r1", "w1"},
      {"ACL", "DRYRUN", "u", "copy", "w1", "r1"},
      {"ACL", "DRYRUN", "u", "getdel", "r1"},
      {"ACL", "DRYRUN", "u", "del", "w1", "r1"},
      {"ACL", "DRYRUN", "u", "zunionstore", "w1", "2", "r1", "k1"},
      {"ACL", "DRYRUN", "u", "zunionstore", "w1", "2", "r1", "w2"},
      {"ACL", "DRYRUN", "u", "eval", "return 1", "2", "r1", "w1"},

      {"ACL", "DRYRUN", "u", "mset", "w1", "v", "k2", "v", "r1", "v"},
      {"ACL", "DRYRUN", "u", "object", "encoding", "w1"},
      {"ACL", "DRYRUN", "u", "object", "freq", "zz"},
      {"ACL", "DRYRUN", "u", "blmpop", "0", "2", "r1", "w1", "LEFT"},
      {"ACL", "DRYRUN", "u", "publish", "ch", "m"},
      {"ACL", "DRYRUN", "u", "publish", "other", "m"},
      {"ACL", "DRYRUN", "u", "publish", "nope", "m"},
      {"ACL", "DRYRUN", "u", "subscribe", "ch", "other"},
      {"ACL", "DRYRUN", "u", "get"},
      {"ACL", "DRYRUN", "u", "nosuchcommand"},
      {"ACL", "DRYRUN", "nosuchuser", "get", "x"},
  };
  EXPECT_EQ(p.same_all(dry), "");
  // The same judgement on real calls: replies (NOPERM texts) and what ACL LOG keeps.
  std::vector<Command> calls = {{"AUTH", "u", "pw"},
                                {"GET", "x1"},
                                {"SET", "x1", "v"},
                                {"SET", "w1", "v", "GET"},
                                {"GET", "w1"},
                                {"OBJECT", "ENCODING", "zz"},
                                {"PUBLISH", "nope", "m"},
                                {"LMOVE", "k1", "w1", "LEFT", "RIGHT"},
                                {"ACL", "LOG", "RESET"}};
  RespClient ours = p.basalt().client();
  RespClient theirs = p.redis().client();
  std::string report;
  for (const auto& cmd : calls) {
    std::string a = ours.command_raw(cmd), b = theirs.command_raw(cmd);
    if (a != b) report += render_command(cmd) + "\n" + describe_mismatch("differ", a, b) + "\n";
  }
  EXPECT_EQ(report, "");
}

TEST(AclSelectorsConfig, UserLinesWithSelectorsSurviveRewriteAndRestart) {
  TempDir tmp;
  const int port = free_port();
  const fs::path conf = tmp.path() / "basalt.conf";
  {
    std::ofstream out(conf);
    out << "port " << port << "\nbind 127.0.0.1\ndir " << (tmp.path() / "data").string()
        << "\nuser sel on nopass ~a* +get (~b* +set) (%R~c* +@read)\n";
  }
  const std::string line =
      "user sel on nopass ~a* resetchannels -@all +get (~b* resetchannels -@all +set) "
      "(%R~c* resetchannels -@all +@read)";
  Process p({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient c(port);
  c.connect(10s);
  Reply list = c.command({"ACL", "LIST"});
  ASSERT_EQ(list.elements.size(), 2u) << list.to_string();
  EXPECT_EQ(list.elements[1].str, line);
  EXPECT_EQ(c.command_raw({"ACL", "DRYRUN", "sel", "set", "b1", "v"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"CONFIG", "REWRITE"}), "+OK\r\n");
  c.send_command({"SHUTDOWN", "NOSAVE"});
  ASSERT_TRUE(p.wait_exit(15s).has_value());
  p.start({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient d(port);
  d.connect(10s);
  Reply after = d.command({"ACL", "LIST"});
  ASSERT_EQ(after.elements.size(), 2u) << after.to_string();
  EXPECT_EQ(after.elements[1].str, line);
  d.send_command({"SHUTDOWN", "NOSAVE"});
  EXPECT_EQ(p.wait_exit(15s), 0);
}

}  // namespace
}  // namespace basalt::test
