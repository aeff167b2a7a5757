// tests/support/process.h — owns child processes started by tests: Process runs a program via
// fork/execvp with stdout+stderr appended to a log file, and guarantees the child is killed and
// reaped when the Process goes away (or when the test runner itself dies).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace basalt::test {

// Not thread-safe: use one Process from one thread at a time.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL), so it is killed when the runner dies. Linux ties
// this to the *thread* that forked: start processes from a thread that lives as long as they
// should (the gtest main thread); a child started from a short-lived helper thread is killed
// as soon as that thread exits.
//
// Exit statuses use the shell convention: the exit code for a normal exit, 128 + signal number
// when the child was killed by a signal (so 137 after kill9()).
class Process {
 public:
  Process() = default;
  // Same as start(argv, log_file).
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
  // SIGKILLs and reaps the child if it is still running.
  ~Process();

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;

  // Starts argv[0] (looked up in PATH by execvp) with argv, stdin from /dev/null, stdout and
  // stderr appended to log_file (created if missing). Throws std::runtime_error if the log file
  // cannot be opened, fork fails or exec fails (e.g. no such program); std::logic_error if a
  // previous child of this object is still running. A Process whose child has exited may be
  // started again.
  void start(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

  // Pid of the current (or last) child, -1 if never started.
  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // True while the child has not exited (reaps it with waitpid(WNOHANG) once it has).
  bool running();
  // Sends sig to the child. Returns false (and sends nothing) if the child was already reaped,
  // so a recycled pid is never signalled.
  bool signal(int sig);
  // Waits up to timeout for the child to exit; returns its exit status, or nullopt on timeout.
  // Returns immediately with the status if the child was already reaped.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // SIGKILLs the child (if still running) and reaps it before returning.
  void kill9();
  // Exit status once the child has been reaped (by running(), wait_exit() or kill9()).
  std::optional<int> exit_status() const;
  // Raw waitpid() status once reaped (for WIFSIGNALED/WCOREDUMP etc.).
  std::optional<int> raw_wait_status() const;

  // Shell-convention exit status of a raw waitpid() status.
  static int decode_status(int raw_status);

 private:
  bool try_reap(bool block);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int raw_status_ = 0;
};

}  // namespace basalt::test
