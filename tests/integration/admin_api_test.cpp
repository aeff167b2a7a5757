// tests/integration/admin_api_test.cpp — the admin API (http/) against a real basalt process:
// the read endpoints with and without the bearer token, their JSON, and the errors (400, 401,
// 404, 405, 413, 503).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kToken = "s3cret-token";

// A basalt server with the admin API on a free port, guarded by kToken.
struct AdminNode {
  explicit AdminNode(std::vector<std::string> extra = {}) : http_port(free_port()) {
    std::vector<std::string> args = {"--http-port", std::to_string(http_port), "--http-token",
                                     kToken};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<BasaltServer>(args);
    server->start();
  }
  HttpResponse get(const std::string& path, const std::string& token = kToken) {
    return http_request(http_port, "GET", path, token);
  }
  json::value get_json(const std::string& path, int expected_status = 200) {
    HttpResponse r = get(path);
    EXPECT_EQ(r.status, expected_status) << path << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json") << path;
    return json::parse(r.body);
  }
  int http_port;
  std::unique_ptr<BasaltServer> server;
};

std::string error_of(const HttpResponse& r) {
  auto v = json::parse(r.body);
  return std::string(v.at("error").as_string());
}

const std::vector<std::string> kGuardedPaths = {"/ready",
                                                "/status",
                                                "/replication",
                                                "/info",
                                                "/info/replication",
                                                "/config",
                                                "/config/maxclients",
                                                "/metrics"};

TEST(AdminApi, EveryEndpointWantsTheTokenButHealth) {
  AdminNode node;
  EXPECT_EQ(node.get("/health", "").status, 200);
  for (const auto& path : kGuardedPaths) {
    HttpResponse without = node.get(path, "");
    EXPECT_EQ(without.status, 401) << path;
    EXPECT_NE(error_of(without).find("bearer token"), std::string::npos) << without.body;
    EXPECT_EQ(without.headers["www-authenticate"], "Bearer realm=\"basalt\"");
    EXPECT_EQ(node.get(path, "wrong").status, 401) << path;
    EXPECT_EQ(node.get(path, std::string(kToken) + "x").status, 401) << path;
    EXPECT_EQ(node.get(path).status, 200) << path;
  }
  // Another scheme, or the token without one, is no bearer token.
  HttpConnection c(node.http_port);
  ASSERT_TRUE(c.send("GET /status HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
                     std::string(kToken) + "\r\n\r\n"));
  EXPECT_EQ(c.read_response().status, 401);
  ASSERT_TRUE(c.send("GET /status HTTP/1.1\r\nHost: x\r\nAuthorization: bearer " +
                     std::string(kToken) + "\r\n\r\n"));
  EXPECT_EQ(c.read_response().status, 200) << "the scheme is case-insensitive";
  // Unknown paths: 401 without the token (paths are not revealed), 404 with it.
  EXPECT_EQ(node.get("/nope", "").status, 401);
  HttpResponse missing = node.get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(error_of(missing).find("no such endpoint"), std::string::npos);
  EXPECT_EQ(node.get("/info/a/b").status, 404);
  EXPECT_EQ(node.get("/healthz", "").status, 401);
}

TEST(AdminApi, TokenIsAConfigDirective) {
  AdminNode node;
  RespClient c = node.server->client();
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "http-token"}),
            (std::vector<std::string>{"http-token", kToken}));
  ASSERT_TRUE(c.command({"CONFIG", "SET", "http-token", "next-token-7q"}).is_status("OK"));
  EXPECT_EQ(node.get("/status").status, 401);
  EXPECT_EQ(node.get("/status", "next-token-7q").status, 200);
  // Without a token, a loopback-bound API answers everyone.
  ASSERT_TRUE(c.command({"CONFIG", "SET", "http-token", ""}).is_status("OK"));
  EXPECT_EQ(node.get("/status", "").status, 200);
  EXPECT_EQ(node.server->log().find("next-token-7q"), std::string::npos)
      << "the token is never logged";
}

TEST(AdminApi, WrongMethodsMalformedRequestsAndBigBodies) {
  AdminNode node;
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    HttpResponse r = http_request(node.http_port, method, "/status", kToken);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers["allow"], "GET") << method;
    EXPECT_NE(error_of(r).find("not allowed"), std::string::npos);
  }
  EXPECT_EQ(http_request(node.http_port, "PUT", "/config", kToken, "{\"maxclients\":1}").status,
            405);

  // Malformed request lines and headers: 400, JSON, and the connection is closed.
  for (const std::string bad : {"GARBAGE\r\n\r\n", "GET /status HTTP/9.9\r\n\r\n",
                                "GET /status HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    HttpConnection c(node.http_port);
    ASSERT_TRUE(c.send(bad));
    HttpResponse r = c.read_response();
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(error_of(r), "malformed HTTP request");
    EXPECT_TRUE(c.closed_by_peer(5s));
  }
  EXPECT_EQ(node.get("status").status, 400) << "a target must start with '/'";

  // A body over http-max-body (1 MB): 413 as soon as its length is known.
  {
    HttpConnection c(node.http_port);
    ASSERT_TRUE(c.send("POST /config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       std::string(kToken) + "\r\nContent-Length: 2000000\r\n\r\n" +
                       std::string(1000, 'x')));
    HttpResponse r = c.read_response();
    EXPECT_EQ(r.status, 413);
    EXPECT_NE(error_of(r).find("too large"), std::string::npos);
  }
  {  // chunked, too: the limit holds however the body is framed
    HttpConnection c(node.http_port);
    std::string chunk(64 * 1024, 'y');
    std::string req = "POST /config HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) req += "10000\r\n" + chunk + "\r\n";
    c.send(req);  // the server may stop reading once it answered
    EXPECT_EQ(c.read_response().status, 413);
  }
  // A body under the limit on a GET is read and ignored.
  HttpResponse small = http_request(node.http_port, "GET", "/health", "", std::string(1000, 'z'));
  EXPECT_EQ(small.status, 200);
  // Headers over 16 KB: 431.
  HttpConnection big(node.http_port);
  ASSERT_TRUE(big.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') +
                       "\r\n\r\n"));
  EXPECT_EQ(big.read_response().status, 431);
  // The server still serves.
  EXPECT_EQ(node.get("/status").status, 200);
}

TEST(AdminApi, KeepAliveServesManyRequestsOnOneConnection) {
  AdminNode node;
  HttpConnection c(node.http_port);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpResponse r = c.read_response();
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.body, R"({"status":"ok","storage":"ok"})");
  }
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(
      c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n"
             "Authorization: Bearer " +
             std::string(kToken) + "\r\n\r\n"));
  EXPECT_EQ(c.read_response().status, 200);
  EXPECT_EQ(c.read_response().status, 404);
}

TEST(AdminApi, SlowClientIsClosedByTheReadTimeout) {
  AdminNode node({"--http-read-timeout", "1"});
  HttpConnection slow(node.http_port);
  ASSERT_TRUE(slow.send("GET /status HTTP/1.1\r\nHost: x\r\n"));  // never finished
  HttpConnection idle(node.http_port);                            // never sends a byte
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.closed_by_peer(10s));
  EXPECT_TRUE(idle.closed_by_peer(10s));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 800ms);
  EXPECT_LT(took, 8s);
  EXPECT_EQ(node.get("/health").status, 200);
}

TEST(AdminApi, ConnectionsBeyondTheCapGetA503AndTheServerCarriesOn) {
  AdminNode node({"--http-max-connections", "4"});
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpConnection>(node.http_port));
    ASSERT_TRUE(held.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(held.back()->read_response().status, 200);  // its session is running now
  }
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = node.get("/health");
    ASSERT_EQ(r.status, 503) << i;
    EXPECT_NE(error_of(r).find("too many admin connections"), std::string::npos);
  }
  // The held connections still work; once they go, new ones are served again.
  ASSERT_TRUE(held[0]->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(held[0]->read_response().status, 200);
  held.clear();
  EXPECT_TRUE(wait_until([&] { return node.get("/health").status == 200; }, 10s));
  RespClient c = node.server->client();
  EXPECT_TRUE(c.command({"PING"}).is_status("PONG"));
}

TEST(AdminApi, InfoIsJsonWithNumbers) {
  AdminNode node;
  RespClient c = node.server->client();
  ASSERT_TRUE(c.command({"SET", "k", "v"}).is_status("OK"));
  json::value info = node.get_json("/info");
  ASSERT_TRUE(info.is_object());
  EXPECT_TRUE(info.at("server").at("redis_version").is_string());
  EXPECT_TRUE(info.at("server").at("uptime_in_seconds").is_number());
  EXPECT_TRUE(info.at("replication").at("master_repl_offset").is_number());
  EXPECT_EQ(info.at("replication").at("role"), "master");
  EXPECT_EQ(info.at("keyspace").at("db0").at("keys"), 1);
  EXPECT_FALSE(info.as_object().contains("commandstats"));  // not a default section

  json::value repl = node.get_json("/info/replication");
  EXPECT_EQ(repl.as_object().size(), 1u);
  EXPECT_TRUE(repl.at("replication").at("master_replid").is_string());
  json::value stats = node.get_json("/info/commandstats");
  EXPECT_EQ(stats.at("commandstats").at("cmdstat_set").at("calls"), 1);
  json::value all = node.get_json("/info/everything");
  EXPECT_TRUE(all.as_object().contains("commandstats"));
  EXPECT_TRUE(all.as_object().contains("keyspace"));
  HttpResponse none = node.get("/info/nosuch");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(error_of(none).find("no such INFO section"), std::string::npos);
}

TEST(AdminApi, ConfigListsEveryDirective) {
  AdminNode node({"--maxclients", "123"});
  json::value all = node.get_json("/config");
  EXPECT_EQ(all.at("maxclients"), "123");
  EXPECT_EQ(all.at("http-port").as_string(), std::to_string(node.http_port).c_str());
  EXPECT_EQ(all.at("http-read-timeout"), "10");
  json::value one = node.get_json("/config/maxclients");
  EXPECT_EQ(one.at("name"), "maxclients");
  EXPECT_EQ(one.at("value"), "123");
  EXPECT_EQ(node.get_json("/config/slaveof").at("name"), "slaveof");  // aliases too
  EXPECT_EQ(node.get("/config/nosuch").status, 404);
}

TEST(AdminApi, StatusAndHealthKeepTheirShape) {
  AdminNode node;
  json::value health = json::parse(node.get("/health", "").body);
  EXPECT_EQ(health, json::parse(R"({"status":"ok","storage":"ok"})"));
  json::value status = node.get_json("/status");
  EXPECT_EQ(status.at("role"), "master");
  EXPECT_EQ(status.at("keys_per_db").as_array().size(), 16u);
}

}  // namespace
}  // namespace basalt::test
