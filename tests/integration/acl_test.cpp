// tests/integration/acl_test.cpp — ACL as Redis 7.0, on the real binary:
//  - differential (against Debian's redis-server, byte for byte): ACL SETUSER / GETUSER / LIST /
//    USERS / WHOAMI / CAT / DRYRUN / GENPASS / LOG replies and errors, and every NOPERM and
//    WRONGPASS error a user meets (commands, subcommands, first arguments, keys with %R / %W,
//    channels, PSUBSCRIBE patterns, MULTI), plus the ACL LOG entries they leave (all fields but
//    age-seconds and client-info). Descriptions use rules whose single-command part is one
//    command: Redis lists several in its hash order, which a random seed changes per process.
//  - the aclfile: ACL SAVE, a restart, ACL LOAD (clients of replaced users are disconnected);
//    `user` lines and CONFIG REWRITE;
//  - ACL DELUSER disconnects the user's clients; CLIENT LIST user= and CLIENT KILL USER;
//  - a replica authenticating with masteruser / masterauth to a master whose default user is
//    off, with the replication user Redis documents (+psync +replconf +ping).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kWrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

// The same commands on a fresh connection to each server, replies compared byte for byte.
std::string same_on_new_connections(ServerPair& pair, const std::vector<Command>& commands) {
  RespClient ours = pair.basalt().client();
  RespClient theirs = pair.redis().client();
  std::string report;
  for (const auto& cmd : commands) {
    std::string a = ours.command_raw(cmd), b = theirs.command_raw(cmd);
    if (a != b) report += render_command(cmd) + "\n" + describe_mismatch("differ", a, b) + "\n";
  }
  return report;
}

// ACL LOG entries without age-seconds and client-info (inherently different).
std::vector<std::string> log_without_ages(RespClient& c) {
  Reply log = c.command({"ACL", "LOG"});
  std::vector<std::string> out;
  for (const Reply& entry : log.elements) {
    std::string line;
    for (size_t i = 0; i + 1 < entry.elements.size(); i += 2) {
      const std::string& key = entry.elements[i].str;
      if (key == "age-seconds" || key == "client-info") continue;
      line += key + "=" + entry.elements[i + 1].to_string() + " ";
    }
    out.push_back(line);
  }
  return out;
}

class AclDifferential : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
    pair_.emplace();
  }
  std::optional<ServerPair> pair_;
};

TEST_F(AclDifferential, UserManagementRepliesAsRedis) {
  ServerPair& p = *pair_;
  std::vector<Command> script = {
      {"ACL", "WHOAMI"},
      {"ACL", "LIST"},
      {"ACL", "USERS"},
      {"ACL", "GETUSER", "default"},
      {"ACL", "GETUSER", "nosuch"},
      {"ACL", "SETUSER", "alice", "on", ">pa", "~k*", "%R~r*", "%W~w*", "&news*", "-@all", "+get"},
      {"ACL", "GETUSER", "alice"},
      {"ACL", "SETUSER", "bob", "on", "#" + std::string(64, 'a'), "allkeys", "+@all", "-flushall"},
      {"ACL", "GETUSER", "bob"},
      {"ACL", "SETUSER", "carol", "+@hash", "resetchannels", "%RW~x", "~x", "%R~y"},
      {"ACL", "GETUSER", "carol"},
      {"ACL", "SETUSER", "dave", "on", "nopass", "-@all", "+@read"},
      {"ACL", "GETUSER", "dave"},
      {"ACL", "SETUSER", "erin", "reset", "on", ">x", ">y", "<x", "+client|list"},
      {"ACL", "GETUSER", "erin"},
      {"ACL", "SETUSER", "frank", "on", "nopass", "-@all", "+select|0", "allchannels"},
      {"ACL", "GETUSER", "frank"},
      {"ACL", "LIST"},
      {"ACL", "USERS"},
      // SETUSER errors, word for word; a failed SETUSER creates nothing.
      {"ACL", "SETUSER", "x", "#abc"},
      {"ACL", "SETUSER", "x", "<nope"},
      {"ACL", "SETUSER", "x", "!" + std::string(64, 'b')},
      {"ACL", "SETUSER", "x", "+nosuch"},
      {"ACL", "SETUSER", "x", "-@nosuch"},
      {"ACL", "SETUSER", "x", "~*", "~a"},
      {"ACL", "SETUSER", "x", "&*", "&a"},
      {"ACL", "SETUSER", "x", "+client|list|x"},
      {"ACL", "SETUSER", "x", "+client|"},
      {"ACL", "SETUSER", "x", "%X~a"},
      {"ACL", "SETUSER", "x", "%~a"},
      {"ACL", "SETUSER", "x", "~a b"},
      {"ACL", "SETUSER", "x", "bogus"},
      {"ACL", "SETUSER", "a b", "on"},
      {"ACL", "GETUSER", "x"},
      {"ACL", "SETUSER"},
      {"ACL", "GETUSER"},
      // DELUSER
      {"ACL", "DELUSER", "default"},
      {"ACL", "DELUSER", "nosuch", "frank"},
      {"ACL", "USERS"},
      // CAT without a category, and its errors
      {"ACL", "CAT"},
      {"ACL", "CAT", "nosuch"},
      {"ACL", "CAT", "a", "b"},
      // DRYRUN
      {"ACL", "DRYRUN", "alice", "get", "k1"},
      {"ACL", "DRYRUN", "alice", "get", "other"},
      {"ACL", "DRYRUN", "alice", "set", "k1", "v"},
      {"ACL", "DRYRUN", "carol", "hget", "y", "f"},
      {"ACL", "DRYRUN", "carol", "hset", "y", "f", "v"},
      {"ACL", "DRYRUN", "carol", "hset", "x", "f", "v"},
      {"ACL", "DRYRUN", "erin", "client", "list"},
      {"ACL", "DRYRUN", "erin", "client", "kill", "id", "1"},
      {"ACL", "DRYRUN", "nosuch", "get", "a"},
      {"ACL", "DRYRUN", "alice", "nosuchcmd", "a"},
      {"ACL", "DRYRUN", "alice", "get"},
      {"ACL", "DRYRUN", "alice", "client"},
      // GENPASS errors and sizes
      {"ACL", "GENPASS", "0"},
      {"ACL", "GENPASS", "4097"},
      {"ACL", "GENPASS", "x"},
      // LOG with nothing logged
      {"ACL", "LOG"},
      {"ACL", "LOG", "x"},
      {"ACL", "LOG", "RESET"},
      {"ACL", "SAVE"},
      {"ACL", "LOAD"},
      {"ACL", "HELP"},
      {"ACL"},
      {"ACL", "NOSUCH"},
      {"AUTH", "x"},
  };
  EXPECT_EQ(p.same_all(script), "");
  // GENPASS: random hex of the asked size.
  for (const char* bits : {"1", "5", "256", "4096"}) {
    std::string ours = p.ours().get_string({"ACL", "GENPASS", bits});
    std::string theirs = p.theirs().get_string({"ACL", "GENPASS", bits});
    EXPECT_EQ(ours.size(), theirs.size()) << bits;
    EXPECT_TRUE(std::all_of(ours.begin(), ours.end(), [](char ch) { return std::isxdigit(ch); }));
  }
  EXPECT_EQ(p.ours().get_string({"ACL", "GENPASS"}).size(), 64u);
}

TEST_F(AclDifferential, CategoriesHoldTheSameCommands) {
  // Each category: the commands basalt has are listed by both, and basalt lists no command
  // Redis does not put in it (Redis lists them in its hash order: compared as sets).
  ServerPair& p = *pair_;
  std::vector<std::string> cats = p.ours().get_strings({"ACL", "CAT"});
  ASSERT_EQ(cats.size(), 21u);
  auto names = [](RespClient& c) {
    std::set<std::string> out;
    for (const Reply& e : c.command({"COMMAND"}).elements) {
      out.insert(e.elements[0].str);
      for (const Reply& sub : e.elements[9].elements) out.insert(sub.elements[0].str);
    }
    return out;
  };
  const std::set<std::string> redis_commands = names(p.theirs()), basalt_commands = names(p.ours());
  // The two rows basalt has as one command where Redis has a container are left out.
  auto compared = [](const std::string& name) { return name != "object" && name != "latency"; };
  for (const auto& cat : cats) {
    auto ours = p.ours().get_strings({"ACL", "CAT", cat});
    auto theirs = p.theirs().get_strings({"ACL", "CAT", cat});
    std::set<std::string> o(ours.begin(), ours.end()), t(theirs.begin(), theirs.end());
    for (const auto& name : o) {
      if (redis_commands.count(name) && compared(name)) {
        EXPECT_TRUE(t.count(name)) << "@" << cat << ": basalt lists " << name;
      }
    }
    for (const auto& name : t) {
      if (basalt_commands.count(name) && compared(name)) {
        EXPECT_TRUE(o.count(name)) << "@" << cat << ": basalt misses " << name;
      }
    }
  }
}

TEST_F(AclDifferential, NopermAndWrongpassErrorsAsRedis) {
  ServerPair& p = *pair_;
  ASSERT_EQ(p.same_all({
                {"ACL",       "SETUSER",    "u",           "on",     ">pw",   "~k*",
                 "%R~r*",     "%W~w*",      "&ch*",        "-@all",  "+get",  "+set",
                 "+publish",  "+subscribe", "+psubscribe", "+multi", "+exec", "+client|getname",
                 "+select|0", "+zunion"},
                {"ACL", "SETUSER", "off", "off", ">pw", "+@all"},
                {"SET", "k1", "v"},
            }),
            "");
  std::vector<Command> script = {
      {"AUTH", "u", "bad"},
      {"AUTH", "nosuch", "pw"},
      {"AUTH", "off", "pw"},
      {"HELLO", "2", "AUTH", "u", "bad"},
      {"AUTH", "u", "pw"},
      {"ACL", "WHOAMI"},
      {"GET", "k1"},
      {"GET", "other"},
      {"GET", "r1"},
      {"GET", "w1"},
      {"SET", "w1", "v"},
      {"SET", "r1", "v"},
      {"SET", "k2", "v"},
      {"DEL", "k1"},
      {"CLIENT", "GETNAME"},
      {"CLIENT", "LIST"},
      {"SELECT", "0"},
      {"SELECT", "1"},
      {"ZUNION", "2", "k1", "other"},
      {"PUBLISH", "ch1", "m"},
      {"PUBLISH", "other", "m"},
      {"SUBSCRIBE", "other"},
      {"PSUBSCRIBE", "ch1*"},
      {"MULTI"},
      {"GET", "k1"},
      {"DEL", "k1"},
      {"EXEC"},
      {"MULTI"},
      {"GET", "other"},
      {"EXEC"},
      {"ACL", "WHOAMI"},
  };
  EXPECT_EQ(same_on_new_connections(p, script), "");
  // What the refusals left in ACL LOG, newest first (counted together when alike).
  EXPECT_EQ(log_without_ages(p.ours()), log_without_ages(p.theirs()));
  // Channels a subscribed client may use.
  EXPECT_EQ(same_on_new_connections(p, {{"AUTH", "u", "pw"}, {"SUBSCRIBE", "ch1", "ch2"}}), "");
  EXPECT_EQ(same_on_new_connections(p, {{"AUTH", "u", "pw"}, {"PSUBSCRIBE", "ch*"}}), "");
}

TEST(Acl, WrongpassIsCountedAndLogged) {
  BasaltServer s({"--requirepass", "secret"});
  s.start();
  RespClient c = s.client();
  EXPECT_EQ(c.command_raw({"AUTH", "nope"}), kWrongPass);
  EXPECT_EQ(c.command_raw({"AUTH", "default", "secret"}), "+OK\r\n");
  EXPECT_EQ(info_int(c, "stats", "acl_access_denied_auth"), 1);
  EXPECT_EQ(c.command_raw({"ACL", "SETUSER", "u", "on", "nopass", "-@all", "+get"}), "+OK\r\n");
  RespClient u = s.client();
  EXPECT_EQ(u.command_raw({"AUTH", "u", "any"}), "+OK\r\n");
  u.command_raw({"SET", "a", "1"});
  u.command_raw({"SET", "a", "1"});
  EXPECT_EQ(info_int(c, "stats", "acl_access_denied_cmd"), 2);
  Reply log = c.command({"ACL", "LOG"});
  ASSERT_EQ(log.elements.size(), 2u);
  EXPECT_TRUE(log.elements[0].elements[1].is_integer(2));       // count
  EXPECT_TRUE(log.elements[0].elements[3].is_bulk("command"));  // reason
  EXPECT_NE(log.elements[0].elements[13].str.find("user=u"), std::string::npos);
  EXPECT_TRUE(log.elements[1].elements[3].is_bulk("auth"));
  // acllog-max-len bounds it.
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "acllog-max-len", "1"}), "+OK\r\n");
  EXPECT_EQ(c.command({"ACL", "LOG"}).elements.size(), 1u);
  // CONFIG SET requirepass changes the default user's password.
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "requirepass", "other"}), "+OK\r\n");
  RespClient d = s.client();
  EXPECT_EQ(d.command_raw({"AUTH", "secret"}), kWrongPass);
  EXPECT_EQ(d.command_raw({"AUTH", "other"}), "+OK\r\n");
}

TEST(Acl, DeluserDisconnectsItsClientsOnly) {
  BasaltServer s;
  s.start();
  RespClient admin = s.client();
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "gone", "on", ">pw", "+@all", "~*"}), "+OK\r\n");
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "stays", "on", ">pw", "+@all", "~*"}), "+OK\r\n");
  RespClient g1 = s.client(), g2 = s.client(), k = s.client();
  ASSERT_EQ(g1.command_raw({"AUTH", "gone", "pw"}), "+OK\r\n");
  ASSERT_EQ(g2.command_raw({"AUTH", "gone", "pw"}), "+OK\r\n");
  ASSERT_EQ(k.command_raw({"AUTH", "stays", "pw"}), "+OK\r\n");
  std::string list = admin.get_string({"CLIENT", "LIST"});
  EXPECT_NE(list.find("user=gone"), std::string::npos) << list;
  EXPECT_NE(list.find("user=stays"), std::string::npos) << list;
  // Changing a password keeps the connections (as Redis 7.0).
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "gone", "resetpass", ">new"}), "+OK\r\n");
  EXPECT_EQ(g1.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(admin.command_raw({"ACL", "DELUSER", "gone"}), ":1\r\n");
  EXPECT_TRUE(g1.closed_by_peer(5s));
  EXPECT_TRUE(g2.closed_by_peer(5s));
  EXPECT_EQ(k.command_raw({"PING"}), "+PONG\r\n");
  // CLIENT KILL USER closes that user's clients.
  EXPECT_EQ(admin.command_raw({"CLIENT", "KILL", "USER", "nosuch"}),
            "-ERR No such user 'nosuch'\r\n");
  EXPECT_EQ(admin.command_raw({"CLIENT", "KILL", "USER", "stays"}), ":1\r\n");
  EXPECT_TRUE(k.closed_by_peer(5s));
  EXPECT_EQ(admin.command_raw({"PING"}), "+PONG\r\n");
}

TEST(Acl, AclFileRoundTripAcrossRestartAndLoad) {
  TempDir tmp;
  const fs::path acl = tmp.path() / "users.acl";
  std::ofstream(acl).close();  // Redis needs the file to exist
  BasaltServer s({"--aclfile", acl.string()});
  s.start();
  RespClient c = s.client();
  ASSERT_EQ(c.command_raw({"ACL", "SETUSER", "ann", "on", ">pw", "%R~r*", "&n", "-@all", "+@read"}),
            "+OK\r\n");
  ASSERT_EQ(c.command_raw({"ACL", "SAVE"}), "+OK\r\n");
  std::vector<std::string> before = c.get_strings({"ACL", "LIST"});
  s.restart();
  RespClient d = s.client();
  EXPECT_EQ(d.get_strings({"ACL", "LIST"}), before);
  RespClient ann = s.client();
  EXPECT_EQ(ann.command_raw({"AUTH", "ann", "pw"}), "+OK\r\n");
  EXPECT_EQ(ann.command_raw({"GET", "r1"}), "$-1\r\n");
  // ACL LOAD: the file wins; clients of the replaced users are disconnected.
  {
    std::ofstream out(acl, std::ios::app);
    out << "user ben on nopass ~* &* +@all\n";
  }
  EXPECT_EQ(d.command_raw({"ACL", "LOAD"}), "+OK\r\n");
  EXPECT_TRUE(ann.closed_by_peer(5s));
  EXPECT_EQ(d.get_strings({"ACL", "USERS"}), (std::vector<std::string>{"ann", "ben", "default"}));
  EXPECT_EQ(d.command_raw({"PING"}), "+PONG\r\n");  // a default user's client stays
  // A bad file changes nothing.
  {
    std::ofstream out(acl, std::ios::app);
    out << "user cid on +nosuch\n";
  }
  std::string error = d.command_raw({"ACL", "LOAD"});
  EXPECT_EQ(error.rfind("-ERR ", 0), 0u) << error;
  EXPECT_NE(error.find("Unknown command or category name in ACL"), std::string::npos) << error;
  EXPECT_EQ(d.get_strings({"ACL", "USERS"}), (std::vector<std::string>{"ann", "ben", "default"}));
}

TEST(Acl, AclFileAndUserDirectivesAreExclusive) {
  TempDir tmp;
  const fs::path acl = tmp.path() / "users.acl";
  std::ofstream(acl).close();
  Process p({BasaltServer::binary(), "--port", std::to_string(free_port()), "--dir",
             (tmp.path() / "data").string(), "--aclfile", acl.string(), "--user", "x", "on"},
            tmp.path() / "basalt.log");
  auto status = p.wait_exit(15s);
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(*status, 0);
}

TEST(Acl, UserLinesAndConfigRewrite) {
  TempDir tmp;
  const int port = free_port();
  const fs::path conf = tmp.path() / "basalt.conf";
  {
    std::ofstream out(conf);
    out << "port " << port << "\nbind 127.0.0.1\ndir " << (tmp.path() / "data").string()
        << "\nuser zed on >zpw ~z* +@all\n";
  }
  Process p({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient c(port);
  c.connect(10s);
  EXPECT_EQ(c.command_raw({"AUTH", "zed", "zpw"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"ACL", "SETUSER", "yan", "on", ">ypw", "+get", "~y"}), "+OK\r\n");
  // A value cannot smuggle a line into the file.
  EXPECT_EQ(c.command_raw({"ACL", "SETUSER", "yan", "~a\nport 1"}),
            "-ERR Error in ACL SETUSER modifier '~a port 1': Syntax error\r\n");
  EXPECT_EQ(c.command_raw({"CONFIG", "REWRITE"}), "+OK\r\n");
  std::ifstream in(conf);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("user yan on #"), std::string::npos) << text;
  EXPECT_NE(text.find("user zed on #"), std::string::npos) << text;
  EXPECT_EQ(text.find("port 1\n"), std::string::npos) << text;
  c.send_command({"SHUTDOWN", "NOSAVE"});
  ASSERT_TRUE(p.wait_exit(15s).has_value());
  p.start({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient d(port);
  d.connect(10s);
  EXPECT_EQ(d.command_raw({"AUTH", "yan", "ypw"}), "+OK\r\n");
  EXPECT_EQ(d.command_raw({"GET", "y"}), "$-1\r\n");
  EXPECT_EQ(d.command_raw({"GET", "x"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(d.command_raw({"SHUTDOWN", "NOSAVE"}),
            "-NOPERM this user has no permissions to run the 'shutdown' command\r\n");
  ASSERT_EQ(d.command_raw({"AUTH", "zed", "zpw"}), "+OK\r\n");
  d.send_command({"SHUTDOWN", "NOSAVE"});
  EXPECT_EQ(p.wait_exit(15s), 0);
}

TEST(Acl, ReplicaAuthenticatesWithMasteruser) {
  // The master's default user is off: only the replication user (as Redis documents it) and
  // an admin can get in.
  BasaltServer master({"--user", "repl on >rpw +psync +replconf +ping", "--user",
                       "admin on >apw ~* &* +@all", "--user", "default off"});
  master.start();
  RespClient m = master.client();
  EXPECT_EQ(m.command_raw({"PING"}), "-NOAUTH Authentication required.\r\n");
  ASSERT_EQ(m.command_raw({"AUTH", "admin", "apw"}), "+OK\r\n");
  ASSERT_EQ(m.command_raw({"SET", "k", "v1"}), "+OK\r\n");
  BasaltServer replica(replicaof_args(master, {"--masteruser", "repl", "--masterauth", "rpw"}));
  replica.start();
  RespClient r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s)) << replica.log_tail();
  ASSERT_EQ(m.command_raw({"SET", "k", "v2"}), "+OK\r\n");
  EXPECT_TRUE(wait_until([&] { return r.command_raw({"GET", "k"}) == "$2\r\nv2\r\n"; }, 10s));
  // The replication user can do nothing else.
  RespClient as_repl = master.client();
  ASSERT_EQ(as_repl.command_raw({"AUTH", "repl", "rpw"}), "+OK\r\n");
  EXPECT_EQ(as_repl.command_raw({"GET", "k"}),
            "-NOPERM this user has no permissions to run the 'get' command\r\n");
  EXPECT_NE(m.get_string({"CLIENT", "LIST"}).find("user=repl"), std::string::npos);
}

TEST(Acl, SentinelMonitorsWithItsDocumentedUser) {
  constexpr const char* kSentinel = "/usr/bin/redis-sentinel";
  if (access(kSentinel, X_OK) != 0) GTEST_SKIP() << "redis-sentinel is not installed";
  // Redis's documented Sentinel user, without +script|kill (basalt has no SCRIPT).
  const std::vector<std::string> users = {
      "--user",
      "default off",
      "--user",
      "admin on >apw ~* &* +@all",
      "--user",
      "replica-user on >rpw +psync +replconf +ping",
      "--user",
      "sentinel-user on >spw allchannels +multi +slaveof +ping +exec +subscribe "
      "+config|rewrite +role +publish +info +client|setname +client|kill"};
  BasaltServer master(users);
  master.start();
  std::vector<std::string> replica_args = users;
  for (const char* a : {"--masteruser", "replica-user", "--masterauth", "rpw"})
    replica_args.push_back(a);
  BasaltServer replica(replicaof_args(master, replica_args));
  replica.start();
  RespClient r = replica.client();
  ASSERT_EQ(r.command_raw({"AUTH", "admin", "apw"}), "+OK\r\n");
  ASSERT_TRUE(wait_for_master_link(r, 20s)) << replica.log_tail();
  TempDir dir("basalt-sentinel-acl-");
  const int sentinel_port = free_port();
  const std::string conf = (dir.path() / "sentinel.conf").string();
  {
    std::ofstream out(conf);
    out << "port " << sentinel_port << "\nbind 127.0.0.1\ndaemonize no\n"
        << "sentinel monitor basalt 127.0.0.1 " << master.port() << " 1\n"
        << "sentinel auth-user basalt sentinel-user\n"
        << "sentinel auth-pass basalt spw\n"
        << "sentinel down-after-milliseconds basalt 3000\n";
  }
  Process sentinel({kSentinel, conf}, dir.path() / "sentinel.log");
  RespClient s(sentinel_port);
  s.connect(5s);
  // Sentinel logs in, sees the master and, through its INFO, the replica.
  EXPECT_TRUE(wait_until(
      [&] {
        Reply replicas = s.command({"SENTINEL", "REPLICAS", "basalt"});
        return replicas.type == Reply::Array && replicas.elements.size() == 1;
      },
      20s));
  Reply info = s.command({"SENTINEL", "MASTER", "basalt"});
  ASSERT_EQ(info.type, Reply::Array);
  for (size_t i = 0; i + 1 < info.elements.size(); i += 2) {
    if (info.elements[i].str == "flags") {
      EXPECT_EQ(info.elements[i + 1].str, "master");
    }
  }
  // Nothing it did was refused.
  RespClient m = master.client();
  ASSERT_EQ(m.command_raw({"AUTH", "admin", "apw"}), "+OK\r\n");
  EXPECT_NE(m.get_string({"CLIENT", "LIST"}).find("user=sentinel-user"), std::string::npos);
  Reply log = m.command({"ACL", "LOG"});
  EXPECT_EQ(log.elements.size(), 0u) << log.to_string();
}

TEST(Acl, RevokedChannelsDisconnectTheirSubscribers) {
  // As redis-server 7.0: a SETUSER that still allows the subscriptions keeps the client; one
  // that revokes them disconnects it.
  BasaltServer s;
  s.start();
  RespClient admin = s.client();
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "psu", "on", "nopass", "+@all", "~*", "&news*"}),
            "+OK\r\n");
  RespClient sub = s.client();
  ASSERT_EQ(sub.command_raw({"AUTH", "psu", "x"}), "+OK\r\n");
  ASSERT_EQ(sub.command_raw({"SUBSCRIBE", "news1"}),
            "*3\r\n$9\r\nsubscribe\r\n$5\r\nnews1\r\n:1\r\n");
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "psu", "resetchannels", "&news1"}), "+OK\r\n");
  EXPECT_EQ(sub.command_raw({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  ASSERT_EQ(admin.command_raw({"ACL", "SETUSER", "psu", "resetchannels", "&other"}), "+OK\r\n");
  EXPECT_TRUE(sub.closed_by_peer(5s));
}

}  // namespace
}  // namespace basalt::test
