// tests/integration/node_behaviour_test.cpp — node-level behaviour that is not a command:
// idle client timeout, replication with masterauth, and the HTTP admin API.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

TEST(NodeBehaviour, IdleClientsAreClosedAfterTimeout) {
  BasaltServer server({"--timeout", "1"});
  server.start();
  auto idle = server.client();
  ASSERT_TRUE(idle.command({"PING"}).is_status("PONG"));
  EXPECT_TRUE(idle.closed_by_peer(5s));
  auto active = server.client();
  EXPECT_TRUE(active.command({"PING"}).is_status("PONG"));
}

// Subscribers, blocked clients and monitors wait for the node: the idle timeout spares them,
// as Redis does, while an idle normal client beside them is closed.
TEST(NodeBehaviour, IdleTimeoutSparesSubscribersBlockedClientsAndMonitors) {
  BasaltServer server({"--timeout", "1"});
  server.start();
  auto sub = server.client();
  ASSERT_EQ(sub.command({"SUBSCRIBE", "c"}).type, Reply::Array);
  auto blocked = server.client();
  blocked.send_command({"BLPOP", "nothing", "0"});
  auto monitor = server.client();
  ASSERT_TRUE(monitor.command({"MONITOR"}).is_status("OK"));
  auto idle = server.client();
  ASSERT_TRUE(idle.command({"PING"}).is_status("PONG"));
  EXPECT_TRUE(idle.closed_by_peer(5s));  // the timeout is running
  auto pub = server.client();
  EXPECT_EQ(pub.get_integer({"PUBLISH", "c", "still here"}), 1);
  ASSERT_EQ(sub.read_reply().type, Reply::Array);
  ASSERT_TRUE(pub.command({"RPUSH", "nothing", "x"}).is_integer(1));
  EXPECT_EQ(blocked.read_reply().type, Reply::Array);
  EXPECT_FALSE(monitor.closed_by_peer(100ms));
}

TEST(NodeBehaviour, ReplicaAuthenticatesWithMasterauth) {
  BasaltServer master({"--requirepass", "s3cret"});
  master.start();
  BasaltServer replica(
      {"--replicaof", "127.0.0.1", std::to_string(master.port()), "--masterauth", "s3cret"});
  replica.start();
  auto m = master.client();
  EXPECT_EQ(m.command_raw({"SET", "a", "1"}), "-NOAUTH Authentication required.\r\n");
  ASSERT_TRUE(m.command({"AUTH", "s3cret"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "a", "1"}).is_status("OK"));
  auto r = replica.client();
  ASSERT_TRUE(wait_until([&] { return r.command({"GET", "a"}).is_bulk("1"); }, 20s));

  // A wrong password keeps the link down.
  BasaltServer lost(
      {"--replicaof", "127.0.0.1", std::to_string(master.port()), "--masterauth", "wrong"});
  lost.start();
  auto l = lost.client();
  EXPECT_FALSE(wait_for_master_link(l, 2s));
}

// replica-announce-ip / -port: the master lists the replica under the address it announced
// (what Sentinel then connects to, e.g. a docker compose service name).
TEST(NodeBehaviour, MasterListsReplicasUnderTheirAnnouncedAddress) {
  BasaltServer master;
  master.start();
  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port()),
                        "--replica-announce-ip", "basalt-2", "--replica-announce-port", "7777"});
  replica.start();
  auto m = master.client();
  ASSERT_TRUE(
      wait_until([&] { return info_field(m, "replication", "connected_slaves") == "1"; }, 20s));
  EXPECT_TRUE(info_field(m, "replication", "slave0").starts_with("ip=basalt-2,port=7777,"))
      << info_field(m, "replication", "slave0");
  Reply role = m.command({"ROLE"});
  ASSERT_EQ(role.type, Reply::Array) << role;
  ASSERT_EQ(role.elements.at(2).elements.size(), 1u) << role;
  EXPECT_EQ(role.elements[2].elements[0].elements.at(0).str, "basalt-2");
  EXPECT_EQ(role.elements[2].elements[0].elements.at(1).str, "7777");
  EXPECT_TRUE(m.command({"REPLCONF", "ip-address", std::string(300, 'x')}).is_error());
}

TEST(NodeBehaviour, HttpRequestOnTheRespPortIsRefused) {
  BasaltServer server;
  server.start();
  auto attacker = server.client();
  attacker.send_raw("POST / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_TRUE(attacker.closed_by_peer(5s));
  auto c = server.client();
  EXPECT_TRUE(c.command({"PING"}).is_status("PONG"));
  EXPECT_EQ(c.command_raw({"LATENCY", "LATEST"}), "*0\r\n");
}

TEST(NodeBehaviour, AdminApiReportsStatus) {
  int http_port = free_port();
  BasaltServer server({"--http-port", std::to_string(http_port)});
  server.start();
  auto c = server.client();
  c.command({"SET", "k", "v"});
  std::string health = http_get(http_port, "/health");
  EXPECT_NE(health.find("200 OK"), std::string::npos) << health;
  EXPECT_NE(health.find(R"({"status":"ok","storage":"ok"})"), std::string::npos) << health;
  std::string status = http_get(http_port, "/status");
  EXPECT_NE(status.find(R"("role":"master")"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("keys_per_db":[1,)"), std::string::npos) << status;
  std::string info = http_get(http_port, "/info");
  EXPECT_NE(info.find(R"("master_repl_offset":)"), std::string::npos) << info;
  std::string metrics = http_get(http_port, "/metrics");
  EXPECT_NE(metrics.find(R"(basalt_keys{db="0"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(http_get(http_port, "/nope").find("404"), std::string::npos);
}

// repl-timeout set at run time reaches the running link: a replica whose master went silent
// (SIGSTOP) declares the link down after the new timeout, not the old 60 s.
TEST(NodeBehaviour, ReplTimeoutSetAtRunTimeReachesTheRunningLink) {
  MasterAndReplica servers;
  auto r = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(r.command({"CONFIG", "SET", "repl-timeout", "2"}).is_status("OK"));
  ASSERT_TRUE(servers.master.process().signal(SIGSTOP));
  bool down = wait_until(
      [&] { return info_field(r, "replication", "master_link_status") == "down"; }, 15s);
  ASSERT_TRUE(servers.master.process().signal(SIGCONT));
  EXPECT_TRUE(down) << "the link stayed up past the new repl-timeout";
  EXPECT_TRUE(wait_for_master_link(r, 30s));
}

}  // namespace
}  // namespace basalt::test
