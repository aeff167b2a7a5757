// tests/integration/tls_port_test.cpp — CONFIG SET tls-port at run time, as Redis 7.0's
// applyTLSPort: the TLS listener moves to the new port (redis-cli --tls gets in there, no
// longer on the old one), 0 closes it, and a port that cannot be bound (here the node's own
// plain port) or TLS without a certificate is refused with Redis's errors (compared with
// redis-server) while the old listener keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_files.h"

namespace basalt::test {
namespace {

std::string tls_ping(const TlsFiles& f, int port) {
  std::string out = run_shell("redis-cli " + f.cli_options() + " -h 127.0.0.1 -p " +
                              std::to_string(port) + " PING")
                        .output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The answers a server gives to moving its TLS port onto its own plain port (refused).
std::vector<std::string> refused_moves(ServerProcess& server) {
  RespClient c = server.client();
  std::vector<std::string> out;
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-port", std::to_string(server.port())}));
  return out;
}

TEST(TlsPort, ConfigSetMovesTheTlsListener) {
  TempDir dir("basalt-tls-port-");
  TlsFiles files = TlsFiles::make(dir.path());
  const int first = free_port();
  BasaltServer server(files.server_args(first));
  server.start();
  ASSERT_EQ(tls_ping(files, first), "PONG");

  const int second = free_port();
  RespClient c = server.client();
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "tls-port", std::to_string(second)}), "+OK\r\n");
  EXPECT_EQ(tls_ping(files, second), "PONG");
  EXPECT_NE(tls_ping(files, first), "PONG");
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "tls-port"})[1], std::to_string(second));

  // A port in use: refused as Redis refuses it, and the listener stays where it was.
  if (RedisOracle::available()) {
    RedisOracle redis(files.server_args(free_port()));
    redis.start();
    EXPECT_EQ(refused_moves(server), refused_moves(redis));
  }
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "tls-port", std::to_string(server.port())}),
            "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen "
            "on this port. Check server logs.\r\n");
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "tls-port"})[1], std::to_string(second));
  EXPECT_EQ(tls_ping(files, second), "PONG");

  // 0: no TLS listener any more; the plain port serves on.
  EXPECT_EQ(c.command_raw({"CONFIG", "SET", "tls-port", "0"}), "+OK\r\n");
  EXPECT_NE(tls_ping(files, second), "PONG");
  EXPECT_EQ(c.get_string({"PING"}), "PONG");
}

TEST(TlsPort, TlsPortWithoutCertificateIsRefusedAsRedis) {
  BasaltServer server;
  server.start();
  const std::string port = std::to_string(free_port());
  RespClient c = server.client();
  std::string ours = c.command_raw({"CONFIG", "SET", "tls-port", port});
  EXPECT_EQ(ours,
            "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to update "
            "TLS configuration. Check server logs.\r\n");
  if (RedisOracle::available()) {
    RedisOracle redis;
    redis.start();
    EXPECT_EQ(ours, redis.client().command_raw({"CONFIG", "SET", "tls-port", port}));
  }
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "tls-port"})[1], "0");
}

}  // namespace
}  // namespace basalt::test
