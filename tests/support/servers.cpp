// tests/support/servers.cpp — owns the basalt and redis-server processes tests run against
// (see servers.h).
#include "tests/support/servers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/support/ports.h"

#ifndef BASALT_BINARY
#error "BASALT_BINARY must be defined (absolute path of the basalt binary)"
#endif

namespace basalt::test {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

std::string join_args(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    const bool quote = a.empty() || a.find_first_of(" \t\"'") != std::string::npos;
    if (quote) {
      out += '"';
      out += escape_bytes(a);
      out += '"';
    } else {
      out += a;
    }
  }
  return out;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

}  // namespace

ServerProcess::ServerProcess(std::string name, std::string binary, const std::string& log_name,
                             std::vector<std::string> fixed_args,
                             std::vector<std::string> extra_args)
    : name_(std::move(name)),
      binary_(std::move(binary)),
      fixed_args_(std::move(fixed_args)),
      extra_args_(std::move(extra_args)),
      tmp_(),
      data_dir_(tmp_.path() / "data"),
      log_path_(tmp_.path() / log_name),
      port_(free_port()) {
  fs::create_directories(data_dir_);
}

ServerProcess::~ServerProcess() {
  if (ever_started_ && ::testing::Test::HasFailure()) {
    std::cerr << "--- " << name_ << " on " << bind_address_ << ":" << port_ << " ("
              << log_path_.string() << "), last log lines ---\n"
              << log_tail() << "--- end of " << name_ << " log ---\n";
  }
}

std::vector<std::string> ServerProcess::command_line() const {
  std::vector<std::string> argv = prefix_;
  argv.insert(argv.end(), {binary_, "--port", std::to_string(port_), "--bind", bind_address_,
                           "--dir", data_dir_.string()});
  argv.insert(argv.end(), fixed_args_.begin(), fixed_args_.end());
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  return argv;
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ServerProcess::log_tail(size_t max_lines) const {
  const std::string all = log();
  if (max_lines == 0 || all.empty()) return "";
  size_t pos = all.size();
  if (all.back() == '\n') --pos;  // the final newline does not start a line
  size_t lines = 0;
  while (pos > 0) {
    const size_t nl = all.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    if (++lines == max_lines) {
      pos = nl + 1;
      break;
    }
    pos = nl;
  }
  std::string tail = all.substr(pos);
  if (tail.back() != '\n') tail += '\n';
  return tail;
}

void ServerProcess::fail_start(const std::string& why) {
  process_.kill9();
  throw std::runtime_error(name_ + " failed to start: " + why +
                           "\ncommand: " + join_args(command_line()) + "\n--- last lines of " +
                           log_path_.string() + " ---\n" + log_tail());
}

void ServerProcess::start() {
  if (process_.running()) {
    throw std::logic_error(name_ + "::start: already running (pid " +
                           std::to_string(process_.pid()) + ")");
  }
  const bool may_change_port = !ever_started_;
  ever_started_ = true;
  for (int attempt = 1;; ++attempt) {
    {
      std::ofstream marker(log_path_, std::ios::app);
      marker << "=== basalt-test: starting " << join_args(command_line()) << " ===\n";
    }
    const size_t log_start = log().size();
    process_.start(command_line(), log_path_);

    const auto deadline = Clock::now() + start_timeout_;
    std::string last_reply;
    while (true) {
      if (!process_.running()) {
        const std::string this_run = log().substr(std::min(log_start, log().size()));
        if (may_change_port && attempt < 5 && contains_ci(this_run, "in use")) {
          port_ = free_port();  // someone took the port between free_port() and bind
          break;
        }
        fail_start("process exited with status " +
                   std::to_string(process_.exit_status().value_or(-1)) + " before answering PING");
      }
      try {
        RespClient c(bind_address_, port_, std::chrono::milliseconds(1'000));
        c.connect(std::chrono::milliseconds(0));
        last_reply = c.command_raw({"PING"});
        if ((last_reply == "+PONG\r\n" || last_reply.starts_with("-NOAUTH")) &&
            process_.running()) {
          return;
        }
      } catch (const std::runtime_error& e) {
        last_reply = e.what();
      }
      if (Clock::now() >= deadline) {
        fail_start("no +PONG from " + bind_address_ + ":" + std::to_string(port_) + " within " +
                   std::to_string(start_timeout_.count()) +
                   " ms (last: " + escape_bytes(last_reply) + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
}

void ServerProcess::restart() {
  if (process_.running()) shutdown();
  start();
}

void ServerProcess::kill9() {
  process_.kill9();
}

int ServerProcess::shutdown(const std::vector<std::string>& args,
                            std::chrono::milliseconds timeout) {
  if (!process_.running()) {
    throw std::logic_error(name_ + "::shutdown: not running");
  }
  {
    RespClient c(bind_address_, port_, timeout);
    c.connect(std::chrono::seconds(2));
    c.send_command(args);
    std::optional<Reply> reply;
    try {
      reply = c.read_reply();
    } catch (const std::runtime_error&) {
      // Expected: the server closes the connection without replying.
    }
    if (reply && reply->is_error()) {
      throw std::runtime_error(name_ + ": " + join_args(args) + " refused: " + reply->to_string());
    }
  }
  const std::optional<int> status = process_.wait_exit(timeout);
  if (!status) {
    process_.kill9();
    throw std::runtime_error(name_ + " did not exit within " + std::to_string(timeout.count()) +
                             " ms of " + join_args(args) + "; killed. Last log lines:\n" +
                             log_tail());
  }
  return *status;
}

RespClient ServerProcess::client(std::chrono::milliseconds connect_retry) const {
  RespClient c(bind_address_, port_);
  c.connect(connect_retry);
  return c;
}

// ---------------------------------------------------------------------------------------------

BasaltServer::BasaltServer(std::vector<std::string> extra_args)
    : ServerProcess("basalt", binary(), "basalt.log", {"--enable-debug-command", "yes"},
                    std::move(extra_args)) {}

std::string BasaltServer::binary() {
  const char* override_path = std::getenv("BASALT_TEST_BINARY");
  if (override_path != nullptr && *override_path != '\0') return override_path;
  return BASALT_BINARY;
}

RedisOracle::RedisOracle(std::vector<std::string> extra_args)
    : ServerProcess("redis-server", kBinary, "redis.log",
                    {"--save", "", "--appendonly", "no", "--daemonize", "no"},
                    std::move(extra_args)) {}

bool RedisOracle::available() {
  return ::access(kBinary, X_OK) == 0;
}

std::vector<std::string> replicaof_args(const ServerProcess& master,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--replicaof", master.bind_address(),
                                   std::to_string(master.port())};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

namespace {

// Starts `master` (its port is final only once it runs) and returns a replica's args for it.
std::vector<std::string> start_and_replicate(BasaltServer& master,
                                             const std::vector<std::string>& replica_args) {
  master.start();
  return replicaof_args(master, replica_args);
}

}  // namespace

MasterAndReplica::MasterAndReplica(std::vector<std::string> master_args,
                                   std::vector<std::string> replica_args)
    : master(std::move(master_args)), replica(start_and_replicate(master, replica_args)) {
  replica.start();
}

MasterAndReplicas::MasterAndReplicas(size_t count, std::vector<std::string> master_args,
                                     const std::vector<std::string>& replica_args)
    : master(std::move(master_args)) {
  master.start();
  for (size_t i = 0; i < count; ++i) {
    replicas_.push_back(std::make_unique<BasaltServer>(replicaof_args(master, replica_args)));
    replicas_.back()->start();
  }
}

}  // namespace basalt::test
