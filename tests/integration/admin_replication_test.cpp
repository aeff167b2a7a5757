// tests/integration/admin_replication_test.cpp — the admin API's replication views (/ready,
// /replication) on a master and its replica, and the startup guard: an admin API bound
// beyond loopback without http-token refuses to start.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::value get_json(int port, const std::string& path, int* status = nullptr) {
  HttpResponse r = http_request(port, "GET", path);
  if (status) *status = r.status;
  return r.status ? json::parse(r.body) : json::value();
}

TEST(AdminReplication, MasterAndReplicaReportTheirSides) {
  const int master_http = free_port();
  const int replica_http = free_port();
  MasterAndReplica pair({"--http-port", std::to_string(master_http)},
                        {"--http-port", std::to_string(replica_http)});
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));

  int status = 0;
  json::value ready = get_json(master_http, "/ready", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(ready, json::parse(R"({"ready":true,"role":"master"})"));
  ready = get_json(replica_http, "/ready", &status);
  EXPECT_EQ(status, 200) << ready;
  EXPECT_EQ(ready.at("role"), "replica");

  // The master sees its replica, acked up to its offset once the ACK arrived.
  json::value mr;
  ASSERT_TRUE(wait_until(
      [&] {
        mr = get_json(master_http, "/replication");
        const auto& reps = mr.at("replicas").as_array();
        return reps.size() == 1 && reps[0].at("state") == "online" && reps[0].at("lag_bytes") == 0;
      },
      20s))
      << mr;
  EXPECT_EQ(mr.at("role"), "master");
  EXPECT_TRUE(mr.at("master").is_null());
  const auto& rep = mr.at("replicas").as_array()[0];
  EXPECT_EQ(rep.at("port"), pair.replica.port());
  EXPECT_EQ(std::string(rep.at("address").as_string()),
            "127.0.0.1:" + std::to_string(pair.replica.port()));
  EXPECT_EQ(rep.at("ack_offset"), mr.at("master_repl_offset"));
  EXPECT_GE(rep.at("lag_seconds").to_number<double>(), 0.0);
  EXPECT_EQ(mr.at("sync_full"), 1);
  const auto& log = mr.at("log");
  EXPECT_GE(log.at("first_offset").to_number<int64_t>(), 1);
  EXPECT_EQ(log.at("last_offset"), mr.at("master_repl_offset"));
  EXPECT_GT(log.at("size_bytes").to_number<int64_t>(), 0);

  json::value rr = get_json(replica_http, "/replication");
  EXPECT_EQ(rr.at("role"), "replica");
  EXPECT_EQ(rr.at("replid"), mr.at("replid"));
  EXPECT_EQ(rr.at("master_repl_offset"), mr.at("master_repl_offset"));
  const auto& link = rr.at("master");
  EXPECT_EQ(link.at("host"), "127.0.0.1");
  EXPECT_EQ(link.at("port"), pair.master.port());
  EXPECT_EQ(link.at("link_up"), true);
  EXPECT_EQ(link.at("link_state"), "connected");
  EXPECT_EQ(link.at("sync_refused_reason"), "");
  EXPECT_TRUE(rr.at("replicas").as_array().empty());

  // The master goes away: the replica is no longer ready, and says why.
  pair.master.kill9();
  ASSERT_TRUE(wait_until(
      [&] {
        ready = get_json(replica_http, "/ready", &status);
        return status == 503;
      },
      20s))
      << ready;
  EXPECT_EQ(ready.at("ready"), false);
  EXPECT_NE(std::string(ready.at("reason").as_string()).find("link to the master"),
            std::string::npos)
      << ready;
  rr = get_json(replica_http, "/replication");
  EXPECT_EQ(rr.at("master").at("link_up"), false);
}

TEST(AdminReplication, ReplicaThatNeverReachedItsMasterIsNotReady) {
  const int http = free_port();
  BasaltServer replica({"--http-port", std::to_string(http), "--replicaof", "127.0.0.1",
                        std::to_string(free_port())});
  replica.start();
  int status = 0;
  json::value ready = get_json(http, "/ready", &status);
  EXPECT_EQ(status, 503);
  EXPECT_EQ(ready.at("ready"), false);
  EXPECT_EQ(ready.at("role"), "replica");
  EXPECT_FALSE(ready.at("reason").as_string().empty());
}

// Starts basalt with `args` (plus a port and a data dir) and returns its exit status within
// 20 s (nullopt if it is still running then).
std::optional<int> exit_status_of(const std::vector<std::string>& args, std::string& log) {
  TempDir tmp;
  std::vector<std::string> argv = {BasaltServer::binary(), "--port", std::to_string(free_port()),
                                   "--dir", (tmp.path() / "data").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, tmp.path() / "basalt.log");
  auto status = p.wait_exit(20s);
  if (!status) p.kill9();
  std::ifstream in(tmp.path() / "basalt.log");
  log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return status;
}

TEST(AdminReplication, NonLoopbackBindWithoutTokenRefusesToStart) {
  for (const char* bind : {"0.0.0.0", "::", "192.0.2.1"}) {
    std::string log;
    auto status =
        exit_status_of({"--http-port", std::to_string(free_port()), "--http-bind", bind}, log);
    ASSERT_TRUE(status.has_value()) << bind << " did not refuse:\n" << log;
    EXPECT_EQ(*status, 1) << log;
    EXPECT_NE(log.find("beyond loopback) without a token; set http-token"), std::string::npos)
        << log;
  }
}

TEST(AdminReplication, NonLoopbackBindWithTokenServesAndLoopbackNeedsNone) {
  const int http = free_port();
  BasaltServer open_node(
      {"--http-port", std::to_string(http), "--http-bind", "0.0.0.0", "--http-token", "tok"});
  open_node.start();
  EXPECT_EQ(http_request(http, "GET", "/status", "tok").status, 200);
  EXPECT_EQ(http_request(http, "GET", "/status").status, 401);
  // Losing the token at run time closes the API instead of opening it.
  RespClient c = open_node.client();
  ASSERT_TRUE(c.command({"CONFIG", "SET", "http-token", ""}).is_status("OK"));
  HttpResponse r = http_request(http, "GET", "/status");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("http-token is not set"), std::string::npos) << r.body;

  const int local = free_port();
  BasaltServer local_node({"--http-port", std::to_string(local), "--http-bind", "localhost"});
  local_node.start();
  EXPECT_EQ(http_request(local, "GET", "/status").status, 200);
}

}  // namespace
}  // namespace basalt::test
