// tests/support/setups.h — owns the server setups several integration tests share: a linked
// master + replica whose master sends no replication PINGs (so its offset moves only with the
// test's writes), the arguments of a master that raises lag alerts early, and a
// redis-sentinel monitoring a master (its config written, its log shown on failure).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {

// A master and its replica, the link up, a first write ("warm") done so the stream has
// selected db 0, and the master's repl-ping-replica-period at 3600 s: no PING lands between
// two offsets a test reads. Throws std::runtime_error if the link does not come up.
struct QuietLinkedPair {
  QuietLinkedPair();
  MasterAndReplica servers;
  RespClient master;   // a client of the master
  RespClient replica;  // a client of the replica
};

// The token and thresholds of alert_master_args.
inline constexpr const char* kAlertToken = "alerts-token";
inline constexpr int64_t kAlertBytes = 1000;
inline constexpr int kAlertSeconds = 2;
// A master with the admin API on `http_port` (token kAlertToken) that raises lag alerts at
// kAlertBytes bytes or kAlertSeconds seconds behind.
std::vector<std::string> alert_master_args(int http_port);

// Debian's redis-sentinel monitoring the master "basalt" at 127.0.0.1:master_port (quorum 1,
// down-after 3000 ms, failover-timeout 5000 ms), listening in plaintext on a free port, with
// `extra_conf` lines added to its config (TLS settings, ...). Its log goes to stderr when the
// test has failed. available() first (GTEST_SKIP without it).
class SentinelProcess {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-sentinel";
  static bool available();
  SentinelProcess(const std::filesystem::path& dir, int master_port,
                  const std::vector<std::string>& extra_conf = {});
  ~SentinelProcess();
  SentinelProcess(const SentinelProcess&) = delete;
  SentinelProcess& operator=(const SentinelProcess&) = delete;

  int port() const { return port_; }
  // A client of the Sentinel (connected within 10 s).
  RespClient client() const;
  // The master's port Sentinel reports for "basalt" ("" if none).
  std::string master_port_seen(RespClient& sentinel) const;

 private:
  std::filesystem::path log_;
  int port_;
  Process process_;
};

}  // namespace basalt::test
