// tests/support/setups.cpp — see setups.h.
#include "tests/support/setups.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace basalt::test {

using namespace std::chrono_literals;

QuietLinkedPair::QuietLinkedPair()
    : master(servers.master.client()), replica(servers.replica.client()) {
  if (!wait_for_master_link(replica, 30s)) throw std::runtime_error("the replica did not link");
  if (!master.command({"SET", "warm", "1"}).is_status("OK"))
    throw std::runtime_error("the first write failed");
  if (!master.command({"CONFIG", "SET", "repl-ping-replica-period", "3600"}).is_status("OK"))
    throw std::runtime_error("CONFIG SET repl-ping-replica-period failed");
}

std::vector<std::string> alert_master_args(int http_port) {
  return {"--http-port",
          std::to_string(http_port),
          "--http-token",
          kAlertToken,
          "--replica-lag-alert-bytes",
          std::to_string(kAlertBytes),
          "--replica-lag-alert-seconds",
          std::to_string(kAlertSeconds)};
}

bool SentinelProcess::available() {
  return access(kBinary, X_OK) == 0;
}

SentinelProcess::SentinelProcess(const std::filesystem::path& dir, int master_port,
                                 const std::vector<std::string>& extra_conf)
    : log_(dir / "sentinel.log"), port_(free_port()) {
  std::string conf = (dir / "sentinel.conf").string();
  {
    std::ofstream out(conf);
    // down-after must stay well above one second: after +switch-master Sentinel reuses the
    // old master's link, whose reconnects are throttled to one per second, and starts the
    // "no PONG yet" clock at once. With 1000 ms it can call the new master down before it
    // even reconnects and fail over a second time (seen in CI; Redis behaves the same).
    out << "port " << port_ << "\nbind 127.0.0.1\ndaemonize no\n";
    for (const auto& line : extra_conf) out << line << "\n";
    out << "sentinel monitor basalt 127.0.0.1 " << master_port << " 1\n"
        << "sentinel down-after-milliseconds basalt 3000\n"
        << "sentinel failover-timeout basalt 5000\n";
  }
  process_.start({kBinary, conf}, log_);
}

SentinelProcess::~SentinelProcess() {
  // On failure, show what Sentinel decided (its +sdown/+failover/+convert-to-slave events).
  if (!::testing::Test::HasFailure() && !getenv("BASALT_TEST_SHOW_LOGS")) return;
  std::ifstream in(log_);
  std::cerr << "--- sentinel log ---\n" << in.rdbuf() << "--- end of sentinel log ---\n";
}

RespClient SentinelProcess::client() const {
  RespClient s(port_);
  s.connect(10s);
  return s;
}

std::string SentinelProcess::master_port_seen(RespClient& sentinel) const {
  Reply r = sentinel.command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "basalt"});
  if (r.type != Reply::Array || r.elements.size() != 2) return "";
  return r.elements[1].str;
}

}  // namespace basalt::test
