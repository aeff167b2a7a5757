// tests/support/servers.h — owns the server processes integration tests run against: the basalt
// binary under test (BasaltServer) and Debian's redis-server as a reference oracle
// (RedisOracle), each on its own free loopback port with its own temporary data directory, and a
// basalt master with basalt replicas of it (MasterAndReplica, MasterAndReplicas).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/temp_dir.h"

namespace basalt::test {

// A server binary started on 127.0.0.1:<free port> (or another bind_address) with `--dir
// <tmp>/data`, its output in <tmp>/<log name>. Owns the temp dir (removed on destruction) and the
// process (SIGKILLed on destruction). If the current gtest test has failed, the destructor prints
// the log tail to stderr. Not thread-safe; create it on the gtest main thread (see Process).
class ServerProcess {
 public:
  static constexpr std::chrono::milliseconds kStartTimeout{15'000};
  static constexpr std::chrono::milliseconds kShutdownTimeout{15'000};

  virtual ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits (up to start_timeout()) until PING answers +PONG (a -NOAUTH
  // error also counts as up; -LOADING keeps waiting). Throws std::runtime_error with the log
  // tail if the process exits or does not answer in time (the process is then killed). On the
  // very first start, a server that exits because its port was taken meanwhile ("in use" in
  // the log) is retried on a new port.
  void start();
  // Graceful shutdown() if running, then start() again with the same port, dir and args.
  // (For crash-recovery tests call kill9() first.)
  void restart();
  // SIGKILL and reap.
  void kill9();
  // Sends `args` (default SHUTDOWN) and waits up to timeout for the process to exit; returns
  // its exit status (Process convention). Throws std::runtime_error if the server answers with
  // an error or does not exit in time (it is then SIGKILLed).
  int shutdown(const std::vector<std::string>& args = {"SHUTDOWN"},
               std::chrono::milliseconds timeout = kShutdownTimeout);
  bool running() { return process_.running(); }

  // A new client connected to this server (connect retried for connect_retry).
  RespClient client(std::chrono::milliseconds connect_retry = std::chrono::seconds(2)) const;

  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  const std::string& name() const { return name_; }
  const std::filesystem::path& temp_path() const { return tmp_.path(); }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  const std::vector<std::string>& extra_args() const { return extra_args_; }
  // Full argv the server is (or would be) started with: the command prefix (if any), then the
  // binary.
  std::vector<std::string> command_line() const;

  // The address the server binds to and clients (start's PING, client(), shutdown()) connect
  // to; 127.0.0.1 unless set. An IPv4 address; set it before start().
  const std::string& bind_address() const { return bind_address_; }
  void set_bind_address(std::string address) { bind_address_ = std::move(address); }
  // Words put before the binary in argv, e.g. {"ip", "netns", "exec", "<ns>"} to run the server
  // inside a network namespace (the prefix must exec the binary, so pid() stays the server's).
  // Set it before start().
  void set_command_prefix(std::vector<std::string> prefix) { prefix_ = std::move(prefix); }
  // Whole log / its last max_lines lines ("" if there is no log yet).
  std::string log() const;
  std::string log_tail(size_t max_lines = 40) const;
  Process& process() { return process_; }

  std::chrono::milliseconds start_timeout() const { return start_timeout_; }
  void set_start_timeout(std::chrono::milliseconds t) { start_timeout_ = t; }

 protected:
  // argv = [prefix] binary --port P --bind <bind_address> --dir D <fixed_args> <extra_args>.
  ServerProcess(std::string name, std::string binary, const std::string& log_name,
                std::vector<std::string> fixed_args, std::vector<std::string> extra_args);

 private:
  [[noreturn]] void fail_start(const std::string& why);

  std::string name_;
  std::string binary_;
  std::vector<std::string> fixed_args_;
  std::vector<std::string> extra_args_;
  std::string bind_address_ = "127.0.0.1";
  std::vector<std::string> prefix_;
  TempDir tmp_;  // declared before process_: the process dies before its directory goes away
  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  int port_;
  bool ever_started_ = false;
  std::chrono::milliseconds start_timeout_ = kStartTimeout;
  Process process_;
};

// The basalt binary under test: BASALT_BINARY (compile definition), overridable at run time
// with the environment variable BASALT_TEST_BINARY. Started with `--enable-debug-command yes`
// (tests use DEBUG DIGEST, SLEEP, ...) before the extra args, which may override it.
// Log: <tmp>/basalt.log.
class BasaltServer : public ServerProcess {
 public:
  explicit BasaltServer(std::vector<std::string> extra_args = {});
  static std::string binary();
};

// Debian's /usr/bin/redis-server as a reference implementation, started with
// `--save "" --appendonly no --daemonize no` before the extra args. Log: <tmp>/redis.log.
class RedisOracle : public ServerProcess {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";
  explicit RedisOracle(std::vector<std::string> extra_args = {});
  // True if redis-server is installed (use to GTEST_SKIP differential tests without it).
  static bool available();
};

// The arguments that make a basalt server a replica of `master` (--replicaof <master's
// bind_address> <port>), then `extra`. Take them once `master` has started: its port is final only
// then.
std::vector<std::string> replicaof_args(const ServerProcess& master,
                                        const std::vector<std::string>& extra = {});

// A basalt master (started with `master_args`) and a basalt replica of it (replicaof_args, then
// `replica_args`), both started. The replica links up on its own: wait for it with
// wait_for_master_link (wait.h).
struct MasterAndReplica {
  explicit MasterAndReplica(std::vector<std::string> master_args = {},
                            std::vector<std::string> replica_args = {});

  BasaltServer master;
  BasaltServer replica;
};

// The same with `count` replicas of the master, started in order: replica(0), replica(1), ...
class MasterAndReplicas {
 public:
  explicit MasterAndReplicas(size_t count, std::vector<std::string> master_args = {},
                             const std::vector<std::string>& replica_args = {});

  BasaltServer master;
  BasaltServer& replica(size_t i) { return *replicas_.at(i); }
  size_t replica_count() const { return replicas_.size(); }

 private:
  std::vector<std::unique_ptr<BasaltServer>> replicas_;
};

}  // namespace basalt::test
