// tests/integration/tls_test.cpp — TLS on real basalt processes, with a CA and certificates
// made at test time (tests/support/tls_files.h) and Debian's TLS clients:
//  - redis-cli --tls on tls-port (plain port still served), large values both ways;
//  - tls-auth-clients yes refuses a client without a certificate; optional lets it in;
//  - a plaintext client, or a silent one, on tls-port is dropped (the latter after
//    tls-handshake-timeout) and the node keeps serving;
//  - at most maxclients handshakes at once;
//  - port 0 + tls-port: TLS only;
//  - a certificate that does not load stops the start (exit 1, reason on stderr) and is
//    refused by CONFIG SET with Redis's error (compared with redis-server), while a good new
//    certificate set at run time serves the next connections;
//  - a replica with tls-replication yes full-syncs over TLS, then resyncs partially after a
//    restart (sync_partial_ok on the master, digests equal), presenting its client cert;
//  - an encrypted key (tls-key-file-pass), tls-ca-cert-dir, tls-protocols, session caching,
//    maxclients over TLS;
//  - the admin API over http-tls with curl --cacert;
//  - redis-sentinel (Debian's is built with TLS) fails a master over to its replica over TLS,
//    and the old master rejoins over TLS with a partial resync.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_files.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// redis-cli over TLS to 127.0.0.1:port running `args` (already shell-quoted words).
ShellResult cli(const TlsFiles& f, int port, const std::string& args, bool with_cert = true) {
  return run_shell("redis-cli " + f.cli_options(with_cert) + " -h 127.0.0.1 -p " +
                   std::to_string(port) + " " + args);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override { files_ = TlsFiles::make(dir_.path()); }
  TempDir dir_{"basalt-tls-"};
  TlsFiles files_;
};

TEST_F(Tls, RedisCliOverTlsPortWhilePlainPortServes) {
  int tls_port = free_port();
  BasaltServer server(files_.server_args(tls_port));
  server.start();
  ShellResult set = cli(files_, tls_port, "SET greeting hello");
  ASSERT_EQ(set.status, 0) << set.output;
  EXPECT_EQ(trimmed(set.output), "OK");
  auto plain = server.client();
  EXPECT_EQ(plain.get_string({"GET", "greeting"}), "hello");

  // A 3 MB value in and out over TLS (many TLS records, partial writes).
  ShellResult big =
      run_shell("head -c 3000000 /dev/zero | tr '\\0' x | redis-cli " + files_.cli_options() +
                " -p " + std::to_string(tls_port) + " -x SET big");
  ASSERT_EQ(big.status, 0) << big.output;
  EXPECT_EQ(plain.get_integer({"STRLEN", "big"}), 3000000);
  ShellResult back = cli(files_, tls_port, "GET big | wc -c");
  EXPECT_EQ(trimmed(back.output), "3000001");  // the value and redis-cli's newline

  // Pipelined commands over TLS (redis-cli --pipe): all answered.
  ShellResult piped = run_shell(
      "for i in $(seq 1 2000); do echo \"INCR counter\"; done | "
      "redis-cli " +
      files_.cli_options() + " -p " + std::to_string(tls_port) + " --pipe");
  ASSERT_EQ(piped.status, 0) << piped.output;
  EXPECT_NE(piped.output.find("replies: 2000"), std::string::npos) << piped.output;
  EXPECT_EQ(plain.get_string({"GET", "counter"}), "2000");
}

TEST_F(Tls, AuthClientsYesRefusesClientWithoutCertificate) {
  int tls_port = free_port();
  BasaltServer server(files_.server_args(tls_port));  // tls-auth-clients yes: Redis's default
  server.start();
  ShellResult without = cli(files_, tls_port, "PING", /*with_cert=*/false);
  EXPECT_EQ(without.output.find("PONG"), std::string::npos) << without.output;
  ShellResult with = cli(files_, tls_port, "PING");
  EXPECT_EQ(trimmed(with.output), "PONG") << with.output;

  auto plain = server.client();
  EXPECT_EQ(plain.get_strings({"CONFIG", "GET", "tls-auth-clients"})[1], "yes");
  EXPECT_EQ(plain.get_string({"CONFIG", "SET", "tls-auth-clients", "optional"}), "OK");
  EXPECT_EQ(trimmed(cli(files_, tls_port, "PING", false).output), "PONG");
  EXPECT_EQ(trimmed(cli(files_, tls_port, "PING").output), "PONG");
  EXPECT_EQ(plain.get_string({"CONFIG", "SET", "tls-auth-clients", "yes"}), "OK");
  EXPECT_EQ(cli(files_, tls_port, "PING", false).output.find("PONG"), std::string::npos);
}

TEST_F(Tls, PlaintextAndSilentClientsOnTlsPortAreDropped) {
  int tls_port = free_port();
  BasaltServer server(concat(files_.server_args(tls_port), {"--tls-handshake-timeout", "1"}));
  server.start();
  RespClient plaintext(tls_port);
  plaintext.connect();
  plaintext.send_raw("PING\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_TRUE(plaintext.closed_by_peer(5s));
  RespClient silent(tls_port);
  silent.connect();
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_by_peer(10s)) << "a client that never starts TLS must be dropped";
  EXPECT_GE(std::chrono::steady_clock::now() - started, 800ms);
  // Many more of them: the node keeps serving on both ports and logs a bounded number of lines.
  for (int i = 0; i < 50; ++i) {
    RespClient junk(tls_port);
    junk.connect();
    junk.send_raw("GET / HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(junk.closed_by_peer(5s));
  }
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.client().get_string({"PING"}), "PONG");
  EXPECT_EQ(trimmed(cli(files_, tls_port, "PING").output), "PONG");
  std::string log = server.log();
  size_t lines = 0;
  for (size_t at = 0; (at = log.find("Error accepting a TLS client", at)) != std::string::npos;
       ++at)
    ++lines;
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 20u) << "handshake failures must be logged at a bounded rate";
}

// Connections that never finish their handshake hold at most maxclients descriptors: past
// that, the TLS listener closes new connections at once (counted in rejected_connections);
// the plain port is not affected, and TLS clients get in again once the handshakes end.
TEST_F(Tls, HandshakesUnderWayAreBoundedByMaxclients) {
  int tls_port = free_port();
  BasaltServer server(
      concat(files_.server_args(tls_port), {"--maxclients", "3", "--tls-handshake-timeout", "60"}));
  server.start();
  std::vector<RespClient> silent;
  for (int i = 0; i < 3; ++i) {
    silent.emplace_back(tls_port);
    silent.back().connect();
  }
  auto plain = server.client();
  RespClient fourth(tls_port);
  fourth.connect();
  EXPECT_TRUE(fourth.closed_by_peer(5s)) << "a handshake past maxclients must be refused";
  EXPECT_EQ(info_int(plain, "stats", "rejected_connections"), 1);
  for (auto& c : silent) EXPECT_FALSE(c.closed_by_peer(100ms));
  EXPECT_EQ(plain.get_string({"PING"}), "PONG");
  for (auto& c : silent) c.close();
  EXPECT_TRUE(
      wait_until([&] { return trimmed(cli(files_, tls_port, "PING").output) == "PONG"; }, 10s));
}

TEST_F(Tls, TlsOnlyWithPortZero) {
  int tls_port = free_port();
  TempDir data("basalt-tls-only-");
  std::vector<std::string> argv = {BasaltServer::binary(), "--port", "0", "--dir",
                                   (data.path() / "data").string()};
  argv = concat(argv, files_.server_args(tls_port));
  Process node(argv, data.path() / "basalt.log");
  bool up =
      wait_until([&] { return trimmed(cli(files_, tls_port, "PING").output) == "PONG"; }, 15s);
  ASSERT_TRUE(up) << "no TLS answer on " << tls_port;
  EXPECT_EQ(trimmed(cli(files_, tls_port, "CONFIG GET port").output), "port\n0");
  EXPECT_EQ(trimmed(cli(files_, tls_port, "SHUTDOWN NOSAVE").output), "");
  auto status = node.wait_exit(15s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
}

TEST_F(Tls, CertificateThatDoesNotLoadStopsTheStart) {
  TempDir data("basalt-tls-bad-");
  int tls_port = free_port();
  std::vector<std::string> argv = {BasaltServer::binary(), "--port", std::to_string(free_port()),
                                   "--dir", (data.path() / "data").string()};
  auto args = files_.server_args(tls_port);
  args[3] = (dir_.path() / "missing.crt").string();  // --tls-cert-file
  Process node(concat(argv, args), data.path() / "basalt.log");
  auto status = node.wait_exit(15s);
  ASSERT_TRUE(status.has_value()) << "basalt kept running with a certificate it cannot load";
  EXPECT_EQ(*status, 1);
  std::ifstream in(data.path() / "basalt.log");
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("Failed to configure TLS: Failed to load certificate"), std::string::npos)
      << log;

  // A key that does not match the certificate, and a bad tls-protocols: refused too.
  args = files_.server_args(tls_port);
  args[5] = files_.client_key.string();  // --tls-key-file
  Process mismatched(concat(argv, args), data.path() / "basalt2.log");
  status = mismatched.wait_exit(15s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
  Process protocols(
      concat(concat(argv, files_.server_args(tls_port)), {"--tls-protocols", "SSLv3"}),
      data.path() / "basalt3.log");
  status = protocols.wait_exit(15s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
}

// CONFIG SET of tls-* answers as redis-server does: a file that does not load is refused
// (nothing changes), good ones are taken for the next connections.
std::vector<std::string> tls_config_answers(ServerProcess& s, const TlsFiles& f) {
  RespClient c = s.client();
  std::vector<std::string> out;
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-cert-file", "/nonexistent/cert.pem"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-key-file", f.client_key.string()}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-protocols", "TLSv9"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-ciphersuites", "NOPE"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-auth-clients", "maybe"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "tls-cert-file"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "tls-auth-clients"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "tls-replication"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "tls-protocols"}));
  out.push_back(c.command_raw({"CONFIG", "GET", "tls-session-caching"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-protocols", "TLSv1.2 TLSv1.3"}));
  out.push_back(c.command_raw({"CONFIG", "SET", "tls-prefer-server-ciphers", "yes"}));
  return out;
}

TEST_F(Tls, ConfigSetAnswersAsRedisAndReloadsForNewConnections) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  int basalt_tls = free_port(), redis_tls = free_port();
  BasaltServer server(files_.server_args(basalt_tls));
  server.start();
  auto redis_args = files_.server_args(redis_tls);
  RedisOracle redis(redis_args);
  redis.start();
  std::vector<std::string> ours = tls_config_answers(server, files_);
  std::vector<std::string> theirs = tls_config_answers(redis, files_);
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], theirs[i]) << "answer " << i;
  EXPECT_NE(server.log().find("Failed to load certificate: /nonexistent/cert.pem"),
            std::string::npos);

  // A second CA: once the node's certificate is switched, clients trusting only the first CA
  // are refused and clients trusting the second one get in; the plain port never noticed.
  TlsFiles other = TlsFiles::make(dir_.path(), "ca2");
  EXPECT_EQ(trimmed(cli(files_, basalt_tls, "PING").output), "PONG");
  auto c = server.client();
  EXPECT_EQ(
      c.get_string({"CONFIG", "SET", "tls-cert-file", other.server_cert.string(), "tls-key-file",
                    other.server_key.string(), "tls-ca-cert-file", other.ca_cert.string()}),
      "OK");
  EXPECT_EQ(cli(files_, basalt_tls, "PING").output.find("PONG"), std::string::npos);
  EXPECT_EQ(trimmed(cli(other, basalt_tls, "PING").output), "PONG");
  EXPECT_EQ(c.get_string({"PING"}), "PONG");
}

TEST_F(Tls, ReplicaOverTlsSyncsFullyThenPartiallyAfterRestart) {
  int master_tls = free_port(), replica_tls = free_port();
  BasaltServer master(files_.server_args(master_tls));
  master.start();
  auto m = master.client();
  for (int i = 0; i < 2000; ++i) {
    m.send_command({"SET", "key:" + std::to_string(i), std::string(100, 'a' + i % 26)});
  }
  for (int i = 0; i < 2000; ++i) ASSERT_FALSE(m.read_reply().is_error());
  m.get_integer({"RPUSH", "list", "a", "b", "c"});

  // The replica reaches the master's TLS port only, presenting its own client certificate.
  auto replica_args =
      concat(files_.server_args(replica_tls),
             {"--tls-replication", "yes", "--tls-client-cert-file", files_.client_cert.string(),
              "--tls-client-key-file", files_.client_key.string(), "--replicaof", "127.0.0.1",
              std::to_string(master_tls)});
  BasaltServer replica(replica_args);
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s)) << replica.log_tail();
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1);
  // The master lists the replica at its TLS port (what Sentinel and FAILOVER connect to).
  EXPECT_NE(info_field(m, "replication", "slave0").find("port=" + std::to_string(replica_tls)),
            std::string::npos)
      << info_field(m, "replication", "slave0");
  EXPECT_NE(replica.log().find("over TLS"), std::string::npos);

  // The stream after the sync runs over TLS too.
  for (int i = 0; i < 500; ++i) m.get_string({"SET", "after:" + std::to_string(i), "v"});
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));

  replica.restart();
  m.get_string({"SET", "while-down", "1"});
  auto r2 = replica.client();
  ASSERT_TRUE(wait_for_master_link(r2, 30s)) << replica.log_tail();
  for (int i = 0; i < 100; ++i) m.get_integer({"INCR", "after-restart"});
  ASSERT_TRUE(wait_for_same_offset(m, r2, 30s));
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1);
  EXPECT_EQ(r2.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST_F(Tls, ReplicaWithoutTrustedCertificateIsRefusedByMaster) {
  int master_tls = free_port(), replica_tls = free_port();
  BasaltServer master(files_.server_args(master_tls));
  master.start();
  // The replica trusts the master's CA but presents a certificate from another CA.
  TlsFiles stranger = TlsFiles::make(dir_.path(), "stranger");
  auto replica_args =
      concat(files_.server_args(replica_tls),
             {"--tls-replication", "yes", "--tls-client-cert-file", stranger.client_cert.string(),
              "--tls-client-key-file", stranger.client_key.string(), "--replicaof", "127.0.0.1",
              std::to_string(master_tls)});
  BasaltServer replica(replica_args);
  replica.start();
  auto r = replica.client();
  bool refused = wait_until(
      [&] {
        return master.log().find("Error accepting a TLS client connection") != std::string::npos;
      },
      20s);
  EXPECT_TRUE(refused) << master.log_tail();
  EXPECT_EQ(info_field(r, "replication", "master_link_status"), "down");
  auto m = master.client();
  EXPECT_EQ(info_int(m, "replication", "connected_slaves"), 0);
}

TEST_F(Tls, AdminApiOverHttpTls) {
  int tls_port = free_port(), http_port = free_port();
  BasaltServer server(concat(files_.server_args(tls_port),
                             {"--http-port", std::to_string(http_port), "--http-tls", "yes"}));
  server.start();
  const std::string url = "https://127.0.0.1:" + std::to_string(http_port) + "/health";
  const std::string client_cert = " --cert " + shell_quote(files_.client_cert.string()) +
                                  " --key " + shell_quote(files_.client_key.string());
  ShellResult ok = run_shell("curl -sS --max-time 10 --cacert " +
                             shell_quote(files_.ca_cert.string()) + client_cert + " " + url);
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("\"status\":\"ok\""), std::string::npos) << ok.output;
  // No client certificate while tls-auth-clients is yes: refused.
  ShellResult no_cert = run_shell("curl -sS --max-time 10 --cacert " +
                                  shell_quote(files_.ca_cert.string()) + " " + url);
  EXPECT_NE(no_cert.status, 0) << no_cert.output;
  // Plain HTTP on the TLS admin port: no answer, and the API keeps working.
  ShellResult plain =
      run_shell("curl -sS --max-time 5 http://127.0.0.1:" + std::to_string(http_port) + "/health");
  EXPECT_EQ(plain.output.find("\"status\""), std::string::npos) << plain.output;
  auto c = server.client();
  EXPECT_EQ(c.get_string({"CONFIG", "SET", "tls-auth-clients", "no"}), "OK");
  ShellResult after = run_shell("curl -sS --max-time 10 --cacert " +
                                shell_quote(files_.ca_cert.string()) + " " + url);
  EXPECT_EQ(after.status, 0) << after.output;
  EXPECT_NE(after.output.find("\"status\":\"ok\""), std::string::npos) << after.output;
}

// An encrypted key opens with tls-key-file-pass (and stops the start without it); CAs come
// from a hashed directory (tls-ca-cert-dir); tls-protocols TLSv1.2 refuses a TLSv1.3-only
// client; sessions resume unless tls-session-caching is no; maxclients is answered over TLS
// after the handshake, as Redis does.
TEST_F(Tls, KeyPassphraseCaDirProtocolsAndMaxclients) {
  const std::string encrypted = (dir_.path() / "encrypted.key").string();
  ShellResult enc = run_shell("openssl pkey -in " + shell_quote(files_.server_key.string()) +
                              " -aes256 -passout pass:s3cret -out " + shell_quote(encrypted));
  ASSERT_EQ(enc.status, 0) << enc.output;
  const std::string ca_dir = (dir_.path() / "cas").string();
  ShellResult hashed = run_shell("mkdir -p " + shell_quote(ca_dir) + " && cp " +
                                 shell_quote(files_.ca_cert.string()) + " " + shell_quote(ca_dir) +
                                 " && openssl rehash " + shell_quote(ca_dir));
  ASSERT_EQ(hashed.status, 0) << hashed.output;

  int tls_port = free_port();
  std::vector<std::string> args = {"--tls-port",        std::to_string(tls_port),
                                   "--tls-cert-file",   files_.server_cert.string(),
                                   "--tls-key-file",    encrypted,
                                   "--tls-ca-cert-dir", ca_dir,
                                   "--tls-protocols",   "TLSv1.2",
                                   "--maxclients",      "2"};
  {
    TempDir data("basalt-tls-nopass-");
    std::vector<std::string> argv = {BasaltServer::binary(), "--port", std::to_string(free_port()),
                                     "--dir", (data.path() / "data").string()};
    Process no_pass(concat(argv, args), data.path() / "basalt.log");
    auto status = no_pass.wait_exit(15s);
    ASSERT_TRUE(status.has_value())
        << "an encrypted key without its passphrase must stop the start";
    EXPECT_EQ(*status, 1);
  }
  BasaltServer server(concat(args, {"--tls-key-file-pass", "s3cret"}));
  server.start();
  EXPECT_EQ(trimmed(cli(files_, tls_port, "PING").output), "PONG");
  ShellResult v13 =
      run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(tls_port) +
                " -tls1_3 -CAfile " + shell_quote(files_.ca_cert.string()) + " </dev/null");
  EXPECT_NE(v13.status, 0) << v13.output;
  ShellResult v12 = run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(tls_port) +
                              " -tls1_2 -CAfile " + shell_quote(files_.ca_cert.string()) +
                              " -cert " + shell_quote(files_.client_cert.string()) + " -key " +
                              shell_quote(files_.client_key.string()) + " </dev/null");
  EXPECT_NE(v12.output.find("Protocol  : TLSv1.2"), std::string::npos) << v12.output;

  // Sessions resume while tls-session-caching is yes (the default), not once it is no.
  auto first = server.client();
  auto resumed = [&](const std::string& name) {
    const std::string session = shell_quote((dir_.path() / name).string());
    const std::string connect = "openssl s_client -connect 127.0.0.1:" + std::to_string(tls_port) +
                                " -CAfile " + shell_quote(files_.ca_cert.string()) + " -cert " +
                                shell_quote(files_.client_cert.string()) + " -key " +
                                shell_quote(files_.client_key.string());
    // The first connection's output, then the second's (which offers the saved session).
    std::string out = run_shell(connect + " -sess_out " + session + " </dev/null").output;
    return out + run_shell(connect + " -sess_in " + session + " </dev/null").output;
  };
  std::string cached = resumed("session1.pem");
  EXPECT_NE(cached.find("Reused, TLSv1.2"), std::string::npos) << cached;
  EXPECT_EQ(first.get_string({"CONFIG", "SET", "tls-session-caching", "no"}), "OK");
  std::string uncached = resumed("session2.pem");
  EXPECT_NE(uncached.find("New, TLSv1.2"), std::string::npos) << uncached;
  EXPECT_EQ(uncached.find("Reused"), std::string::npos) << uncached;

  // Two clients fill maxclients 2; the third, over TLS, gets Redis's error.
  auto second = server.client();
  EXPECT_EQ(first.get_string({"PING"}), "PONG");
  EXPECT_EQ(second.get_string({"PING"}), "PONG");
  EXPECT_NE(cli(files_, tls_port, "PING").output.find("max number of clients reached"),
            std::string::npos);
  // The passphrase is kept out of the slow log, as requirepass is.
  EXPECT_EQ(first.get_string({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), "OK");
  EXPECT_EQ(first.get_string({"CONFIG", "SET", "tls-key-file-pass", "s3cret"}), "OK");
  EXPECT_EQ(first.command_raw({"SLOWLOG", "GET", "1"}).find("s3cret"), std::string::npos);
}

// Sentinel talks to both nodes over TLS only (their TLS ports, its client certificate): it
// finds the replica at its TLS port, promotes it when the master dies, and turns the old
// master into a replica that follows the new one over TLS with a partial resync.
TEST_F(Tls, SentinelFailsOverOverTls) {
  if (!SentinelProcess::available()) GTEST_SKIP() << "redis-sentinel is not installed";
  int master_tls = free_port(), replica_tls = free_port();
  BasaltServer master(concat(files_.server_args(master_tls), {"--tls-replication", "yes"}));
  master.start();
  BasaltServer replica(
      concat(files_.server_args(replica_tls),
             {"--tls-replication", "yes", "--replicaof", "127.0.0.1", std::to_string(master_tls)}));
  replica.start();
  auto m = master.client();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));

  // Sentinel listens in plaintext for the test, and talks to the nodes over TLS.
  SentinelProcess sentinel(dir_.path(), master_tls,
                           {"tls-replication yes", "tls-cert-file " + files_.server_cert.string(),
                            "tls-key-file " + files_.server_key.string(),
                            "tls-ca-cert-file " + files_.ca_cert.string()});
  RespClient s = sentinel.client();
  bool sees_replica = wait_until(
      [&] {
        Reply replicas = s.command({"SENTINEL", "REPLICAS", "basalt"});
        std::string text = replicas.to_string();
        return replicas.type == Reply::Array && replicas.elements.size() == 1 &&
               text.find(std::to_string(replica_tls)) != std::string::npos &&
               text.find("s_down") == std::string::npos;
      },
      30s);
  ASSERT_TRUE(sees_replica) << s.command({"SENTINEL", "REPLICAS", "basalt"}).to_string();

  for (int i = 0; i < 200; ++i) m.command({"SET", "k" + std::to_string(i), std::to_string(i)});
  ASSERT_EQ(m.get_integer({"WAIT", "1", "5000"}), 1);
  master.kill9();
  ASSERT_TRUE(
      wait_until([&] { return sentinel.master_port_seen(s) == std::to_string(replica_tls); }, 30s))
      << "Sentinel did not fail over";
  ASSERT_TRUE(wait_until(
      [&] {
        r = replica.client();
        return info_field(r, "replication", "role") == "master";
      },
      10s));
  ASSERT_TRUE(r.command({"SET", "after-failover", "1"}).is_status("OK"));

  // The old master returns; Sentinel points it at the new master's TLS port.
  master.start();
  ASSERT_TRUE(wait_until(
      [&] {
        m = master.client();
        return info_field(m, "replication", "role") == "slave" &&
               info_field(m, "replication", "master_link_status") == "up";
      },
      40s))
      << "the old master did not rejoin";
  EXPECT_EQ(info_field(m, "replication", "master_port"), std::to_string(replica_tls));
  ASSERT_TRUE(wait_until([&] { return m.command({"GET", "after-failover"}).is_bulk("1"); }, 10s));
  EXPECT_EQ(info_int(r, "stats", "sync_full"), 0);
  EXPECT_EQ(info_int(r, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(m.get_string({"DEBUG", "DIGEST"}), r.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
