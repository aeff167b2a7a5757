// tests/integration/admin_write_test.cpp — the admin API's write endpoints against real basalt
// processes: POST /config (all-or-nothing, checked with CONFIG GET), /config/rewrite, /replicaof
// (a second node becomes a replica of the first and back), /failover (refusals, 409 while one
// runs, abort, a role swap) and /shutdown (the process exits and its data is there after a
// restart), with their errors (400, 401, 405, 409).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
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

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kToken = "write-token";

// A basalt server with the admin API on a free port, guarded by kToken.
struct AdminNode {
  AdminNode() : http_port(free_port()) {
    server = std::make_unique<BasaltServer>(
        std::vector<std::string>{"--http-port", std::to_string(http_port), "--http-token", kToken});
    server->start();
  }
  HttpResponse post(const std::string& path, const std::string& body) {
    return http_request(http_port, "POST", path, kToken, body);
  }
  std::string config(const std::string& name) {
    RespClient c = server->client();
    return c.get_strings({"CONFIG", "GET", name}).at(1);
  }
  int http_port;
  std::unique_ptr<BasaltServer> server;
};

std::string error_of(const HttpResponse& r) {
  return std::string(json::parse(r.body).at("error").as_string());
}

TEST(AdminWrite, ConfigSetsManyDirectivesAllOrNothing) {
  AdminNode node;
  HttpResponse ok =
      node.post("/config", R"({"hz": 25, "timeout": "300", "replica-serve-stale-data": false})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body).at("changed").as_array().size(), 3u);
  EXPECT_EQ(node.config("hz"), "25");
  EXPECT_EQ(node.config("timeout"), "300");
  EXPECT_EQ(node.config("replica-serve-stale-data"), "no");

  // One bad value: 400 with CONFIG SET's error, and nothing changed.
  HttpResponse bad = node.post("/config", R"({"hz": "50", "timeout": "not-a-number"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(
      error_of(bad).rfind("ERR CONFIG SET failed (possibly related to argument 'timeout')", 0), 0u)
      << bad.body;
  EXPECT_EQ(node.config("hz"), "25");
  EXPECT_EQ(node.config("timeout"), "300");
  HttpResponse unknown = node.post("/config", R"({"hz": "50", "no-such-thing": "1"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(error_of(unknown),
            "ERR Unknown option or number of arguments for CONFIG SET - 'no-such-thing'");
  HttpResponse immutable = node.post("/config", R"({"hz": "50", "databases": "4"})");
  EXPECT_EQ(immutable.status, 400);
  EXPECT_NE(error_of(immutable).find("can't set immutable config"), std::string::npos);
  EXPECT_EQ(node.config("hz"), "25");

  // Malformed JSON and wrong shapes: 400, nothing changed.
  for (const char* body : {"{", "[1]", "\"hz\"", "", "{}", R"({"hz": null})", R"({"hz": [1]})",
                           R"({"hz": 1.5})", R"({"hz": {"x": 1}})"}) {
    HttpResponse r = node.post("/config", body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
  }
  EXPECT_EQ(node.config("hz"), "25");

  // The token; the methods.
  EXPECT_EQ(http_request(node.http_port, "POST", "/config", "", R"({"hz": "5"})").status, 401);
  EXPECT_EQ(node.config("hz"), "25");
  HttpResponse put = http_request(node.http_port, "PUT", "/config", kToken, "{}");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.headers["allow"], "GET, POST");

  // The change hooks run: a new http-token is in force at once.
  ASSERT_EQ(node.post("/config", R"({"http-token": "next-one"})").status, 200);
  EXPECT_EQ(http_request(node.http_port, "GET", "/status", kToken).status, 401);
  EXPECT_EQ(http_request(node.http_port, "GET", "/status", "next-one").status, 200);
}

TEST(AdminWrite, WriteEndpointsRefuseGetAndWantTheToken) {
  AdminNode node;
  for (const char* path : {"/config/rewrite", "/replicaof", "/shutdown"}) {
    HttpResponse get = http_request(node.http_port, "GET", path, kToken);
    EXPECT_EQ(get.status, 405) << path;
    EXPECT_EQ(get.headers["allow"], "POST") << path;
    EXPECT_EQ(http_request(node.http_port, "POST", path, "", "{}").status, 401) << path;
    EXPECT_EQ(http_request(node.http_port, "POST", path, "wrong", "{}").status, 401) << path;
  }
  EXPECT_TRUE(node.server->running());
}

TEST(AdminWrite, ConfigRewriteNeedsAConfigFile) {
  AdminNode node;
  HttpResponse r = node.post("/config/rewrite", "");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_of(r), "ERR The server is running without a config file");
  EXPECT_EQ(node.post("/config/rewrite", "{").status, 400);
  EXPECT_EQ(node.post("/config/rewrite", R"({"x": 1})").status, 400);

  TempDir tmp;
  const int port = free_port();
  const int http_port = free_port();
  const fs::path conf = tmp.path() / "basalt.conf";
  {
    std::ofstream out(conf);
    out << "# mine\nport " << port << "\nbind 127.0.0.1\ndir " << (tmp.path() / "data").string()
        << "\nhz 10\nhttp-port " << http_port << "\nhttp-token " << kToken << "\n";
  }
  Process p({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient c(port);
  c.connect(10s);
  ASSERT_EQ(http_request(http_port, "POST", "/config", kToken, R"({"hz": "25"})").status, 200);
  HttpResponse rewritten = http_request(http_port, "POST", "/config/rewrite", kToken, "{}");
  EXPECT_EQ(rewritten.status, 200) << rewritten.body;
  EXPECT_EQ(json::parse(rewritten.body), json::parse(R"({"rewritten": true})"));
  std::ifstream in(conf);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("# mine"), std::string::npos) << text;
  EXPECT_NE(text.find("hz 25"), std::string::npos) << text;
  EXPECT_EQ(http_request(http_port, "POST", "/shutdown", kToken, R"({"save": false})").status, 202);
  EXPECT_EQ(p.wait_exit(15s), 0);
}

std::string role_of(RespClient& c) {
  return info_field(c, "replication", "role");
}

TEST(AdminWrite, ReplicaofMakesAReplicaAndBack) {
  AdminNode a, b;
  RespClient ca = a.server->client();
  RespClient cb = b.server->client();
  ASSERT_TRUE(ca.command({"SET", "k", "from-a"}).is_status("OK"));

  const std::string to_a =
      R"({"host": "127.0.0.1", "port": )" + std::to_string(a.server->port()) + "}";
  HttpResponse r = b.post("/replicaof", to_a);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("role"), "replica");
  EXPECT_EQ(v.at("master_host"), "127.0.0.1");
  EXPECT_EQ(v.at("master_port"), a.server->port());
  EXPECT_EQ(role_of(cb), "slave");
  ASSERT_TRUE(wait_for_master_link(cb, 20s));
  ASSERT_TRUE(wait_for_same_offset(ca, cb, 20s));
  EXPECT_EQ(cb.get_string({"GET", "k"}), "from-a");
  HttpResponse again = b.post("/replicaof", to_a);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body).at("already_connected"), true);

  // Bad bodies: 400, the role unchanged.
  for (const char* body :
       {"{", "[]", "{}", R"({"host": 5, "port": 1})", R"({"host": "h"})",
        R"({"host": "h", "port": "1"})", R"({"host": "h", "port": 70000})",
        R"({"host": "h", "port": -1})", R"({"no_one": false})", R"({"no_one": "yes"})",
        R"({"no_one": true, "host": "h"})", R"({"host": "h", "port": 1, "x": 1})"}) {
    HttpResponse bad = b.post("/replicaof", body);
    EXPECT_EQ(bad.status, 400) << body << ": " << bad.body;
  }
  EXPECT_EQ(role_of(cb), "slave");

  HttpResponse back = b.post("/replicaof", R"({"no_one": true})");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(json::parse(back.body).at("role"), "master");
  EXPECT_EQ(role_of(cb), "master");
  EXPECT_TRUE(cb.command({"SET", "k2", "on-b"}).is_status("OK"));
  EXPECT_EQ(cb.get_string({"GET", "k"}), "from-a");
  // NO ONE on a master is a no-op that answers the role.
  EXPECT_EQ(a.post("/replicaof", R"({"no_one": true})").status, 200);
  EXPECT_EQ(role_of(ca), "master");
}

std::string failover_state(AdminNode& n) {
  HttpResponse r = http_request(n.http_port, "GET", "/replication", kToken);
  return std::string(json::parse(r.body).at("failover_state").as_string());
}

TEST(AdminWrite, FailoverStartsAbortsAndSwapsRoles) {
  AdminNode a, b;
  RespClient ca = a.server->client();
  RespClient cb = b.server->client();
  const std::string b_port = std::to_string(b.server->port());
  ASSERT_FALSE(cb.command({"REPLICAOF", "127.0.0.1", std::to_string(a.server->port())}).is_error());
  ASSERT_TRUE(wait_for_master_link(cb, 20s));
  ASSERT_TRUE(ca.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(ca, cb, 20s));

  // FAILOVER's own refusals are 409 with its error; malformed requests are 400.
  HttpResponse on_replica = b.post("/failover", "{}");
  EXPECT_EQ(on_replica.status, 409);
  EXPECT_EQ(error_of(on_replica), "ERR FAILOVER is not valid when server is a replica.");
  HttpResponse nothing = a.post("/failover", R"({"abort": true})");
  EXPECT_EQ(nothing.status, 409);
  EXPECT_EQ(error_of(nothing), "ERR No failover in progress.");
  EXPECT_EQ(a.post("/failover", R"({"host": "127.0.0.1", "port": 1})").status, 409);
  for (const char* body :
       {"{", "[]", R"({"abort": false})", R"({"abort": true, "timeout_ms": 5})", R"({"host": "h"})",
        R"({"port": 1})", R"({"host": 1, "port": 1})", R"({"host": "h", "port": 70000})",
        R"({"timeout_ms": 0})", R"({"timeout_ms": "5"})", R"({"force": "yes"})",
        R"({"force": true, "timeout_ms": 5})", R"({"x": 1})"}) {
    HttpResponse bad = a.post("/failover", body);
    EXPECT_EQ(bad.status, 400) << body << ": " << bad.body;
  }
  EXPECT_EQ(failover_state(a), "no-failover");

  // A failover that can't finish (the replica is stopped): 202, then 409 while it runs, then
  // aborted (200) with the roles unchanged.
  ASSERT_TRUE(b.server->process().signal(SIGSTOP));
  ASSERT_TRUE(ca.command({"SET", "k2", "v"}).is_status("OK"));
  HttpResponse started = a.post("/failover", R"({"timeout_ms": 60000})");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(json::parse(started.body).at("failover_state"), "waiting-for-sync");
  EXPECT_EQ(failover_state(a), "waiting-for-sync");
  HttpResponse again = a.post("/failover", "{}");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_of(again), "ERR FAILOVER already in progress.");
  HttpResponse aborted = a.post("/failover", R"({"abort": true})");
  EXPECT_EQ(aborted.status, 200) << aborted.body;
  EXPECT_EQ(json::parse(aborted.body).at("failover_state"), "no-failover");
  EXPECT_EQ(role_of(ca), "master");
  ASSERT_TRUE(b.server->process().signal(SIGCONT));
  ASSERT_TRUE(wait_for_same_offset(ca, cb, 20s));

  // To the replica: the roles swap.
  HttpResponse to_b = a.post("/failover", R"({"host": "127.0.0.1", "port": )" + b_port + "}");
  ASSERT_EQ(to_b.status, 202) << to_b.body;
  ASSERT_TRUE(wait_until([&] { return role_of(cb) == "master" && role_of(ca) == "slave"; }, 20s));
  EXPECT_TRUE(cb.command({"SET", "k3", "v"}).is_status("OK"));
  EXPECT_TRUE(wait_until([&] { return failover_state(a) == "no-failover"; }));
}

TEST(AdminWrite, ShutdownStopsTheNodeAndDataPersists) {
  AdminNode node;
  RespClient c = node.server->client();
  ASSERT_TRUE(c.command({"SET", "kept", "yes"}).is_status("OK"));
  EXPECT_EQ(node.post("/shutdown", R"({"save": "yes"})").status, 400);
  EXPECT_EQ(node.post("/shutdown", R"({"now": true})").status, 400);
  EXPECT_EQ(node.post("/shutdown", "{").status, 400);
  EXPECT_TRUE(node.server->running());

  HttpResponse r = node.post("/shutdown", R"({"save": true})");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"shutting_down": true})"));
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_EQ(node.server->process().wait_exit(15s), 0);

  node.server->restart();
  RespClient d = node.server->client();
  EXPECT_EQ(d.get_string({"GET", "kept"}), "yes");
  // No body: SHUTDOWN's default (save).
  EXPECT_EQ(node.post("/shutdown", "").status, 202);
  EXPECT_EQ(node.server->process().wait_exit(15s), 0);
}

}  // namespace
}  // namespace basalt::test
