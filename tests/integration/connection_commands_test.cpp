// tests/integration/connection_commands_test.cpp — end-to-end checks of the connection commands
// (PING, ECHO, SELECT, QUIT, HELLO, AUTH, CLIENT ...) against a real `basalt` process. Replies
// that do not depend on the server's state (errors above all) are compared byte for byte with
// Debian's redis-server 7.0.15 run side by side (RedisOracle); the others are asserted directly.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// "k1=v1 k2=v2 ..." (one CLIENT LIST line) as a map.
std::map<std::string, std::string> fields(const std::string& line) {
  std::map<std::string, std::string> out;
  std::istringstream in(line);
  std::string word;
  while (in >> word) {
    size_t eq = word.find('=');
    if (eq != std::string::npos) out[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// One basalt (and one redis-server, if installed) per suite; fresh clients per test.
class Connection : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    basalt_.reset();
    redis_.reset();
  }

  void SetUp() override {
    if (!basalt_ || !basalt_->running()) {
      basalt_ = std::make_unique<BasaltServer>();
      basalt_->start();
    }
    if (RedisOracle::available() && (!redis_ || !redis_->running())) {
      redis_ = std::make_unique<RedisOracle>();
      redis_->start();
    }
    b_.emplace(basalt_->client());
    if (redis_) r_.emplace(redis_->client());
  }

  void TearDown() override {
    if (HasFailure() && basalt_) {
      std::cerr << "--- basalt log tail ---\n" << basalt_->log_tail(30) << "--- end ---\n";
    }
    b_.reset();
    r_.reset();
  }

  std::string run(const std::vector<std::string>& args) { return b_->command_raw(args); }

  // Sends `args` to both servers and expects the same bytes back. Without redis-server there is
  // nothing to compare with: the test is marked skipped (its direct checks still run and can
  // still fail it).
  void same(const std::vector<std::string>& args) {
    std::string mine = b_->command_raw(args);
    if (!r_) {
      GTEST_SKIP() << RedisOracle::kBinary
                   << " is not installed: the byte-for-byte comparisons with Redis did not run";
    }
    std::string theirs = r_->command_raw(args);
    std::string command;
    for (const auto& a : args) command += escape_bytes(a) + " ";
    EXPECT_EQ(escape_bytes(mine, 2000), escape_bytes(theirs, 2000)) << "command: " << command;
  }

  static inline std::unique_ptr<BasaltServer> basalt_;
  static inline std::unique_ptr<RedisOracle> redis_;
  std::optional<RespClient> b_;
  std::optional<RespClient> r_;
};

TEST_F(Connection, Ping) {
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"ping", "hello world"}), bulk("hello world"));
  EXPECT_EQ(run({"PING", ""}), bulk(""));
  same({"PING"});
  same({"PING", "x"});
  same({"PING", "a", "b"});
}

TEST_F(Connection, Echo) {
  EXPECT_EQ(run({"ECHO", "x\r\ny"}), bulk("x\r\ny"));
  same({"ECHO", "hi"});
  same({"ECHO"});
  same({"ECHO", "a", "b"});
}

TEST_F(Connection, Select) {
  EXPECT_EQ(run({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(run({"SET", "sel-key", "in-db1"}), "+OK\r\n");
  EXPECT_EQ(run({"SELECT", "0"}), "+OK\r\n");
  EXPECT_EQ(run({"GET", "sel-key"}), "$-1\r\n");
  EXPECT_EQ(run({"SELECT", "15"}), "+OK\r\n");
  EXPECT_EQ(run({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(run({"GET", "sel-key"}), bulk("in-db1"));
  EXPECT_EQ(run({"DEL", "sel-key"}), ":1\r\n");
  // A new connection starts in db 0.
  RespClient other = basalt_->client();
  EXPECT_EQ(fields(other.get_string({"CLIENT", "INFO"}))["db"], "0");
  for (const char* bad : {"x", "16", "-1", "1.5", "", "99999999999", " 1", "01"}) {
    same({"SELECT", bad});
  }
  same({"SELECT"});
  same({"SELECT", "1", "2"});
  EXPECT_EQ(run({"SELECT", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "abc"}), err("ERR value is not an integer or out of range"));
}

TEST_F(Connection, SelectInsideAPipelineWithWrites) {
  std::string batch = encode_command({"SELECT", "2"}) + encode_command({"SET", "p", "2"}) +
                      encode_command({"SELECT", "3"}) + encode_command({"SET", "p", "3"}) +
                      encode_command({"GET", "p"});
  b_->send_raw(batch);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b_->read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(b_->read_reply_raw(), bulk("3"));
  EXPECT_EQ(run({"SELECT", "2"}), "+OK\r\n");
  EXPECT_EQ(run({"GET", "p"}), bulk("2"));
  EXPECT_EQ(run({"FLUSHALL"}), "+OK\r\n");
}

TEST_F(Connection, QuitRepliesOkThenCloses) {
  b_->send_command({"QUIT"});
  EXPECT_TRUE(b_->closed_by_peer(5s));
  EXPECT_EQ(b_->read_reply_raw(), "+OK\r\n");
  // Arguments are ignored, and commands pipelined after QUIT are not run.
  RespClient c = basalt_->client();
  c.send_raw(encode_command({"QUIT", "now"}) + encode_command({"SET", "after-quit", "1"}));
  EXPECT_TRUE(c.closed_by_peer(5s));
  EXPECT_EQ(c.read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(c.buffered_bytes(), 0u);
  RespClient d = basalt_->client();
  EXPECT_EQ(d.command_raw({"EXISTS", "after-quit"}), ":0\r\n");
}

TEST_F(Connection, Hello) {
  const long long id = b_->get_integer({"CLIENT", "ID"});
  const Reply h = b_->command({"HELLO"});
  ASSERT_EQ(h.type, Reply::Array) << h;
  ASSERT_EQ(h.elements.size(), 14u) << h;
  std::vector<std::string> keys;
  for (size_t i = 0; i < h.elements.size(); i += 2) keys.push_back(h.elements[i].str);
  EXPECT_EQ(keys, (std::vector<std::string>{"server", "version", "proto", "id", "mode", "role",
                                            "modules"}));
  EXPECT_TRUE(h.elements[1].is_bulk("redis"));
  EXPECT_TRUE(h.elements[3].is_bulk("7.0.15"));
  EXPECT_TRUE(h.elements[5].is_integer(2));
  EXPECT_TRUE(h.elements[7].is_integer(id));
  EXPECT_TRUE(h.elements[9].is_bulk("standalone"));
  EXPECT_TRUE(h.elements[11].is_bulk("master"));
  EXPECT_EQ(h.elements[13].type, Reply::Array);
  EXPECT_TRUE(h.elements[13].elements.empty());
  EXPECT_EQ(b_->command({"HELLO", "2"}), h);

  // SETNAME names the connection; AUTH default <anything> passes without requirepass.
  EXPECT_EQ(b_->command({"HELLO", "2", "SETNAME", "hello-name"}), h);
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("hello-name"));
  EXPECT_EQ(b_->command({"hello", "2", "auth", "default", "whatever", "setname", "n2"}), h);
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("n2"));

  // RESP3 is not supported: clients fall back to RESP2 on NOPROTO.
  EXPECT_EQ(run({"HELLO", "3"}), err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  same({"HELLO", "4"});
  same({"HELLO", "1"});
  same({"HELLO", "3x"});
  same({"HELLO", "2", "FOO"});
  same({"HELLO", "2", "AUTH", "a"});
  same({"HELLO", "2", "AUTH", "a", "b"});
  same({"HELLO", "2", "SETNAME"});
  same({"HELLO", "2", "SETNAME", "a b"});
  same({"HELLO", "2", "SETNAME", "a", "b"});
  // A failed HELLO changes nothing.
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("n2"));
}

TEST_F(Connection, AuthWithoutPassword) {
  EXPECT_EQ(run({"AUTH", "x"}),
            err("ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?"));
  same({"AUTH", "x"});
  same({"AUTH", "a", "b"});
  same({"AUTH", "default", "anything"});
  same({"AUTH", "a", "b", "c"});
  same({"AUTH"});
}

TEST(ConnectionAuth, RequirePass) {
  BasaltServer srv({"--requirepass", "s3cret"});
  srv.start();
  RespClient c = srv.client();
  const std::string noauth = err("NOAUTH Authentication required.");
  EXPECT_EQ(c.command_raw({"GET", "k"}), noauth);
  EXPECT_EQ(c.command_raw({"PING"}), noauth);
  EXPECT_EQ(c.command_raw({"CLIENT", "ID"}), noauth);
  EXPECT_EQ(c.command_raw({"HELLO", "2"}),
            err("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                "the HELLO AUTH <user> <pass> option can be used to authenticate the client "
                "and select the RESP protocol version at the same time"));
  const std::string wrongpass =
      err("WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c.command_raw({"AUTH", "wrong"}), wrongpass);
  EXPECT_EQ(c.command_raw({"AUTH", "default", "wrong"}), wrongpass);
  EXPECT_EQ(c.command_raw({"AUTH", "bob", "s3cret"}), wrongpass);
  EXPECT_EQ(c.command_raw({"HELLO", "2", "AUTH", "default", "wrong"}), wrongpass);
  EXPECT_EQ(c.command_raw({"GET", "k"}), noauth);
  EXPECT_EQ(c.command_raw({"AUTH", "s3cret"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"GET", "k"}), "$-1\r\n");
  // A failed AUTH later does not log an authenticated client out (as Redis).
  EXPECT_EQ(c.command_raw({"AUTH", "nope"}), wrongpass);
  EXPECT_EQ(c.command_raw({"PING"}), "+PONG\r\n");

  // AUTH default <pass>, and HELLO ... AUTH ... SETNAME on a fresh connection.
  RespClient d = srv.client();
  EXPECT_EQ(d.command_raw({"AUTH", "default", "s3cret"}), "+OK\r\n");
  RespClient e = srv.client();
  const Reply h = e.command({"HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "e"});
  ASSERT_EQ(h.type, Reply::Array) << h;
  EXPECT_EQ(e.command_raw({"CLIENT", "GETNAME"}), bulk("e"));

  // QUIT needs no authentication.
  RespClient q = srv.client();
  q.send_command({"QUIT"});
  EXPECT_TRUE(q.closed_by_peer(5s));
  EXPECT_EQ(q.read_reply_raw(), "+OK\r\n");

  // A new password applies to new connections; existing ones stay authenticated.
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "requirepass", "other"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"PING"}), "+PONG\r\n");
  RespClient f = srv.client();
  EXPECT_EQ(f.command_raw({"PING"}), noauth);
  EXPECT_EQ(f.command_raw({"AUTH", "s3cret"}), wrongpass);
  EXPECT_EQ(f.command_raw({"AUTH", "other"}), "+OK\r\n");
  // No password: new connections are authenticated from the start.
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "requirepass", ""}), "+OK\r\n");
  RespClient g = srv.client();
  EXPECT_EQ(g.command_raw({"PING"}), "+PONG\r\n");
}

TEST_F(Connection, ClientIdSetnameGetname) {
  const long long id = b_->get_integer({"CLIENT", "ID"});
  EXPECT_GT(id, 0);
  EXPECT_EQ(b_->get_integer({"client", "id"}), id);
  RespClient other = basalt_->client();
  EXPECT_GT(other.get_integer({"CLIENT", "ID"}), id);

  EXPECT_EQ(run({"CLIENT", "GETNAME"}), "$-1\r\n");
  EXPECT_EQ(run({"CLIENT", "SETNAME", "my-conn"}), "+OK\r\n");
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("my-conn"));
  EXPECT_EQ(fields(b_->get_string({"CLIENT", "INFO"}))["name"], "my-conn");
  EXPECT_EQ(run({"CLIENT", "SETNAME", ""}), "+OK\r\n");  // clears it
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), "$-1\r\n");
  for (const char* bad : {"a b", "a\nb", "tab\there", "\x7f", "caf\xc3\xa9"}) {
    EXPECT_EQ(run({"CLIENT", "SETNAME", bad}),
              err("ERR Client names cannot contain spaces, newlines or special characters."));
    same({"CLIENT", "SETNAME", bad});
  }
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), "$-1\r\n");
  same({"CLIENT", "SETNAME", "!~ok~!"});
  same({"CLIENT", "SETNAME"});
  same({"CLIENT", "SETNAME", "a", "b"});
  same({"CLIENT", "GETNAME", "x"});
  same({"CLIENT", "ID", "x"});
}

TEST_F(Connection, ClientSubcommandErrors) {
  same({"CLIENT"});
  same({"CLIENT", "xyz"});
  same({"CLIENT", "XyZ", "1", "2"});
  same({"client", "info", "x"});
  same({"CLIENT", "LIST", "foo"});
  same({"CLIENT", "LIST", "TYPE", "foo"});
  same({"CLIENT", "LIST", "TYPE"});
  same({"CLIENT", "LIST", "ID", "x"});
  same({"CLIENT", "LIST", "ID", "1", "y"});
  same({"CLIENT", "KILL"});
  same({"CLIENT", "KILL", "1.2.3.4:5"});
  same({"CLIENT", "KILL", "ID", "x"});
  same({"CLIENT", "KILL", "ID", "0"});
  same({"CLIENT", "KILL", "ID", "-5"});
  same({"CLIENT", "KILL", "ID", "999999"});
  same({"CLIENT", "KILL", "foo", "bar"});
  same({"CLIENT", "KILL", "a", "b", "c"});
  same({"CLIENT", "KILL", "ID", "5", "SKIPME"});
  same({"CLIENT", "KILL", "SKIPME", "maybe"});
  same({"CLIENT", "KILL", "TYPE", "bogus"});
  same({"CLIENT", "KILL", "USER", "bob"});
  same({"CLIENT", "KILL", "USER", "default", "ID", "999999"});
  same({"CLIENT", "KILL", "ADDR", "1.2.3.4:5"});
  same({"CLIENT", "KILL", "LADDR", "1.2.3.4:5"});
  same({"CLIENT", "NO-EVICT"});
  same({"CLIENT", "NO-EVICT", "maybe"});
  same({"CLIENT", "NO-EVICT", "on"});
  same({"CLIENT", "NO-EVICT", "OFF"});
  same({"CLIENT", "GETREDIR"});
  // NO-TOUCH is Redis 7.2's; basalt accepts it.
  EXPECT_EQ(run({"CLIENT", "NO-TOUCH", "on"}), "+OK\r\n");
  EXPECT_EQ(run({"CLIENT", "NO-TOUCH", "off"}), "+OK\r\n");
  EXPECT_EQ(run({"CLIENT", "NO-TOUCH", "x"}), err("ERR syntax error"));
}

TEST_F(Connection, ClientHelp) {
  const Reply help = b_->command({"CLIENT", "HELP"});
  ASSERT_EQ(help.type, Reply::Array);
  ASSERT_GE(help.elements.size(), 10u);
  EXPECT_TRUE(help.elements.front().is_status(
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  EXPECT_TRUE(help.elements[help.elements.size() - 2].is_status("HELP"));
  EXPECT_TRUE(help.elements.back().is_status("    Prints this help."));
  for (const Reply& line : help.elements) EXPECT_EQ(line.type, Reply::Status);
}

TEST_F(Connection, ClientListAndInfoFormat) {
  EXPECT_EQ(run({"CLIENT", "SETNAME", "lister"}), "+OK\r\n");
  EXPECT_EQ(run({"SELECT", "4"}), "+OK\r\n");
  const long long id = b_->get_integer({"CLIENT", "ID"});
  const std::string info = b_->get_string({"CLIENT", "INFO"});
  ASSERT_TRUE(info.ends_with("\n")) << info;
  ASSERT_EQ(lines(info).size(), 1u);
  // Every field of Redis 7.0's line, in its order.
  const std::regex line_re(
      "id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=\\d+ name=\\S* age=\\d+ "
      "idle=\\d+ flags=\\S+ db=\\d+ sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ "
      "argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=\\d+ tot-mem=\\d+ "
      "events=r cmd=\\S+ user=default redir=-1 resp=2\n");
  EXPECT_TRUE(std::regex_match(info, line_re)) << info;
  auto f = fields(info);
  EXPECT_EQ(f["id"], std::to_string(id));
  EXPECT_EQ(f["name"], "lister");
  EXPECT_EQ(f["db"], "4");
  EXPECT_EQ(f["flags"], "N");
  EXPECT_EQ(f["cmd"], "client|info");
  EXPECT_EQ(f["laddr"], "127.0.0.1:" + std::to_string(basalt_->port()));

  RespClient other = basalt_->client();
  ASSERT_EQ(other.command_raw({"SET", "listed", "1"}), "+OK\r\n");
  const long long other_id = other.get_integer({"CLIENT", "ID"});
  ASSERT_EQ(other.command_raw({"CLIENT", "SETNAME", "other"}), "+OK\r\n");
  const std::string list = b_->get_string({"CLIENT", "LIST"});
  ASSERT_TRUE(list.ends_with("\n"));
  std::map<std::string, std::map<std::string, std::string>> by_id;
  for (const auto& l : lines(list)) {
    EXPECT_TRUE(std::regex_match(l + "\n", line_re)) << l;
    auto lf = fields(l);
    by_id[lf["id"]] = lf;
  }
  ASSERT_TRUE(by_id.count(std::to_string(id))) << list;
  ASSERT_TRUE(by_id.count(std::to_string(other_id))) << list;
  EXPECT_EQ(by_id[std::to_string(id)]["cmd"], "client|list");
  EXPECT_EQ(by_id[std::to_string(other_id)]["cmd"], "client|setname");
  EXPECT_EQ(by_id[std::to_string(other_id)]["name"], "other");
  EXPECT_EQ(by_id[std::to_string(other_id)]["db"], "0");
  EXPECT_EQ(by_id[std::to_string(other_id)]["addr"],
            fields(other.get_string({"CLIENT", "INFO"}))["addr"]);
  EXPECT_EQ(run({"DEL", "listed"}), ":0\r\n");  // db 4

  // TYPE and ID filters.
  EXPECT_EQ(lines(b_->get_string({"CLIENT", "LIST", "TYPE", "normal"})).size(), lines(list).size());
  EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", "master"}), bulk(""));
  EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", "replica"}), bulk(""));
  EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", "slave"}), bulk(""));
  EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", "pubsub"}), bulk(""));
  const auto picked = lines(b_->get_string(
      {"CLIENT", "LIST", "ID", std::to_string(other_id), "999999", std::to_string(id)}));
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(fields(picked[0])["id"], std::to_string(other_id));
  EXPECT_EQ(fields(picked[1])["id"], std::to_string(id));
  EXPECT_EQ(run({"CLIENT", "LIST", "ID", "999999"}), bulk(""));
}

// Subscribers are type "pubsub" (flag P, sub/psub counts) and a client inside MULTI shows
// flag x and its queue length, as in Redis: Sentinel's CLIENT KILL TYPE normal / pubsub on a
// promoted replica relies on the split. Checked against redis-server.
TEST_F(Connection, ClientListAndKillSeePubSubAndMultiClients) {
  auto scenario = [](ServerProcess& server, RespClient& admin) {
    std::map<std::string, std::string> seen;
    RespClient sub = server.client();
    RespClient psub = server.client();
    RespClient tx = server.client();
    RespClient plain = server.client();
    const std::string sub_id = std::to_string(sub.get_integer({"CLIENT", "ID"}));
    const std::string psub_id = std::to_string(psub.get_integer({"CLIENT", "ID"}));
    const std::string tx_id = std::to_string(tx.get_integer({"CLIENT", "ID"}));
    const std::string plain_id = std::to_string(plain.get_integer({"CLIENT", "ID"}));
    sub.command({"SUBSCRIBE", "a", "b"});
    psub.command({"PSUBSCRIBE", "p*"});
    psub.command({"SUBSCRIBE", "c"});
    tx.command({"MULTI"});
    tx.command({"SET", "x", "1"});
    tx.command({"GET", "x"});
    for (const auto& [label, id] : {std::pair{"sub", sub_id}, {"psub", psub_id}, {"tx", tx_id}}) {
      auto f = fields(admin.get_string({"CLIENT", "LIST", "ID", id}));
      for (const char* k : {"flags", "sub", "psub", "multi"})
        seen[std::string(label) + "." + k] = f[k];
    }
    std::string pubsub_ids;
    for (const auto& l : lines(admin.get_string({"CLIENT", "LIST", "TYPE", "pubsub"})))
      pubsub_ids += (fields(l)["id"] == sub_id    ? "sub "
                     : fields(l)["id"] == psub_id ? "psub "
                                                  : "? ");
    seen["type pubsub"] = pubsub_ids;
    seen["kill pubsub"] = admin.command_raw({"CLIENT", "KILL", "TYPE", "pubsub"});
    seen["sub closed"] = sub.closed_by_peer(5s) ? "yes" : "no";
    seen["plain alive"] = plain.command_raw({"PING"});
    seen["kill normal"] = admin.command_raw({"CLIENT", "KILL", "TYPE", "normal"});
    seen["tx closed"] = tx.closed_by_peer(5s) ? "yes" : "no";
    seen["admin alive"] = admin.command_raw({"PING"});
    return seen;
  };
  auto mine = scenario(*basalt_, *b_);
  EXPECT_EQ(mine["sub.flags"], "P");
  EXPECT_EQ(mine["sub.sub"], "2");
  EXPECT_EQ(mine["psub.psub"], "1");
  EXPECT_EQ(mine["tx.flags"], "x");
  EXPECT_EQ(mine["tx.multi"], "2");
  EXPECT_EQ(mine["kill pubsub"], ":2\r\n");
  EXPECT_EQ(mine["sub closed"], "yes");
  EXPECT_EQ(mine["plain alive"], "+PONG\r\n");
  EXPECT_EQ(mine["kill normal"], ":2\r\n");  // tx and plain, not the caller
  EXPECT_EQ(mine["tx closed"], "yes");
  EXPECT_EQ(mine["admin alive"], "+PONG\r\n");
  if (redis_) {
    EXPECT_EQ(mine, scenario(*redis_, *r_));
  }
}

TEST_F(Connection, ClientListAgeAndIdle) {
  RespClient idle = basalt_->client();
  const long long idle_id = idle.get_integer({"CLIENT", "ID"});
  // Watch (from another connection) until the idle one has been idle for 2 s.
  std::map<std::string, std::string> f;
  auto idle_for_2s = [&] {
    const auto l = lines(b_->get_string({"CLIENT", "LIST", "ID", std::to_string(idle_id)}));
    if (l.size() != 1) return false;
    f = fields(l[0]);
    return std::stoll(f.at("idle")) >= 2;
  };
  ASSERT_TRUE(wait_until(idle_for_2s, 5s)) << "idle=" << f["idle"];
  EXPECT_GE(std::stoll(f["age"]), 2);
  EXPECT_EQ(fields(b_->get_string({"CLIENT", "INFO"}))["idle"], "0");
}

TEST_F(Connection, ClientKillOldFormByAddress) {
  RespClient victim = basalt_->client();
  const std::string addr = fields(victim.get_string({"CLIENT", "INFO"}))["addr"];
  EXPECT_EQ(run({"CLIENT", "KILL", addr}), "+OK\r\n");
  EXPECT_TRUE(victim.closed_by_peer(5s));
  EXPECT_EQ(run({"CLIENT", "KILL", addr}), err("ERR No such client"));
  // The old form may kill the caller itself: +OK first, then the close.
  const std::string mine = fields(b_->get_string({"CLIENT", "INFO"}))["addr"];
  b_->send_command({"CLIENT", "KILL", mine});
  EXPECT_TRUE(b_->closed_by_peer(5s));
  EXPECT_EQ(b_->read_reply_raw(), "+OK\r\n");
}

TEST_F(Connection, ClientKillNewForm) {
  RespClient v1 = basalt_->client();
  RespClient v2 = basalt_->client();
  const long long id1 = v1.get_integer({"CLIENT", "ID"});
  const std::string addr2 = fields(v2.get_string({"CLIENT", "INFO"}))["addr"];
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id1)}), ":1\r\n");
  EXPECT_TRUE(v1.closed_by_peer(5s));
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id1)}), ":0\r\n");
  EXPECT_EQ(run({"CLIENT", "KILL", "ADDR", addr2, "USER", "default"}), ":1\r\n");
  EXPECT_TRUE(v2.closed_by_peer(5s));
  // Filters combine with AND.
  RespClient v3 = basalt_->client();
  const long long id3 = v3.get_integer({"CLIENT", "ID"});
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id3), "ADDR", "1.2.3.4:5"}), ":0\r\n");
  EXPECT_FALSE(v3.closed_by_peer(200ms));
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id3), "TYPE", "master"}), ":0\r\n");
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id3), "TYPE", "normal"}), ":1\r\n");
  EXPECT_TRUE(v3.closed_by_peer(5s));
  // SKIPME yes (the default) spares the caller.
  const long long me = b_->get_integer({"CLIENT", "ID"});
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(me)}), ":0\r\n");
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(me), "SKIPME", "yes"}), ":0\r\n");
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
}

TEST_F(Connection, ClientKillByLocalAddressSparesCaller) {
  RespClient v1 = basalt_->client();
  RespClient v2 = basalt_->client();
  ASSERT_EQ(v1.command_raw({"PING"}), "+PONG\r\n");
  ASSERT_EQ(v2.command_raw({"PING"}), "+PONG\r\n");
  const std::string laddr = "127.0.0.1:" + std::to_string(basalt_->port());
  const long long n = b_->get_integer({"CLIENT", "KILL", "LADDR", laddr});
  EXPECT_GE(n, 2);
  EXPECT_TRUE(v1.closed_by_peer(5s));
  EXPECT_TRUE(v2.closed_by_peer(5s));
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  // Only the caller is left (killed connections leave the list as their coroutines end).
  size_t left = 0;
  EXPECT_TRUE(wait_until(
      [&] {
        left = lines(b_->get_string({"CLIENT", "LIST"})).size();
        return left == 1;
      },
      2s))
      << left << " clients left";
}

TEST_F(Connection, ClientKillSkipmeNoKillsCallerAfterReply) {
  const long long me = b_->get_integer({"CLIENT", "ID"});
  b_->send_command({"CLIENT", "KILL", "ID", std::to_string(me), "SKIPME", "no"});
  EXPECT_TRUE(b_->closed_by_peer(5s));
  EXPECT_EQ(b_->read_reply_raw(), ":1\r\n");
  // The server is fine.
  RespClient c = basalt_->client();
  EXPECT_EQ(c.command_raw({"PING"}), "+PONG\r\n");
}

TEST_F(Connection, KilledClientDisappearsFromList) {
  RespClient v = basalt_->client();
  const long long id = v.get_integer({"CLIENT", "ID"});
  ASSERT_EQ(run({"CLIENT", "KILL", "ID", std::to_string(id)}), ":1\r\n");
  ASSERT_TRUE(v.closed_by_peer(5s));
  EXPECT_TRUE(wait_until(
      [&] {
        return run({"CLIENT", "LIST", "ID", std::to_string(id)}) == bulk("");
      },
      2s));
}

}  // namespace
}  // namespace basalt::test
