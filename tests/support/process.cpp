// tests/support/process.cpp — owns child processes started by tests (see process.h).
#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

namespace basalt::test {
namespace {

[[noreturn]] void throw_errno(const std::string& what, int err) {
  throw std::runtime_error("Process: " + what + ": " + std::strerror(err));
}

// Closes fd on scope exit.
struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Returns a close-on-exec duplicate of fd numbered >= 3 and closes fd, so none of the fds the
// child rearranges can collide with stdin/stdout/stderr.
int move_above_stdio(int fd, const std::string& what) {
  if (fd < 0) throw_errno(what, errno);
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int err = errno;
  ::close(fd);
  if (moved < 0) throw_errno(what + " (F_DUPFD_CLOEXEC)", err);
  return moved;
}

ssize_t write_all(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::write(fd, p + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
  start(argv, log_file);
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) kill9();
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(std::exchange(other.reaped_, false)),
      raw_status_(std::exchange(other.raw_status_, 0)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !reaped_) kill9();
    pid_ = std::exchange(other.pid_, -1);
    reaped_ = std::exchange(other.reaped_, false);
    raw_status_ = std::exchange(other.raw_status_, 0);
  }
  return *this;
}

void Process::start(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
  if (argv.empty()) throw std::invalid_argument("Process::start: empty argv");
  if (pid_ > 0 && !reaped_ && running()) {
    throw std::logic_error("Process::start: previous child " + std::to_string(pid_) +
                           " is still running");
  }

  // Everything the child needs is prepared before fork: after fork only async-signal-safe
  // calls are made in the child.
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) cargv.push_back(const_cast<char*>(arg.c_str()));
  cargv.push_back(nullptr);

  FdGuard log_fd{
      move_above_stdio(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644),
                       "open log file " + log_file.string())};
  FdGuard null_fd{move_above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null")};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("pipe2", errno);
  FdGuard err_read{move_above_stdio(pipe_fds[0], "pipe2")};
  FdGuard err_write{move_above_stdio(pipe_fds[1], "pipe2")};

  long open_max = ::sysconf(_SC_OPEN_MAX);
  const int max_fd = static_cast<int>(std::clamp(open_max, 64L, 65536L));
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork", errno);
  if (pid == 0) {
    // Child. Reports a failure as an errno value on the close-on-exec pipe; EOF on the pipe
    // tells the parent that exec succeeded.
    auto fail = [&]() {
      const int err = errno;
      write_all(err_write.fd, &err, sizeof err);
      ::_exit(127);
    };
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // undo SIG_IGN
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    if (::dup2(null_fd.fd, STDIN_FILENO) < 0 || ::dup2(log_fd.fd, STDOUT_FILENO) < 0 ||
        ::dup2(log_fd.fd, STDERR_FILENO) < 0) {
      fail();
    }
    // Keep only 0-2 and the error pipe (moved to fd 3, close-on-exec) across exec.
    if (err_write.fd != 3) {
      if (::dup2(err_write.fd, 3) < 0) fail();
      err_write.fd = 3;
    }
    if (::fcntl(3, F_SETFD, FD_CLOEXEC) != 0) fail();
    if (::close_range(4, ~0U, 0) != 0) {
      for (int fd = 4; fd < max_fd; ++fd) ::close(fd);
    }
    ::execvp(cargv[0], cargv.data());
    fail();
  }

  // Parent.
  err_write.reset();
  log_fd.reset();
  null_fd.reset();
  pid_ = pid;
  reaped_ = false;
  raw_status_ = 0;

  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_read.fd, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    try_reap(/*block=*/true);
    throw std::runtime_error("Process: cannot start '" + argv[0] +
                             "': " + std::strerror(child_errno));
  }
}

bool Process::try_reap(bool block) {
  if (pid_ <= 0) return false;
  if (reaped_) return true;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      raw_status_ = status;
      return true;
    }
    if (r == 0) return false;
    if (errno == EINTR) continue;
    // ECHILD: someone else reaped it (or SIGCHLD is ignored); treat as gone.
    reaped_ = true;
    raw_status_ = 0;
    return true;
  }
}

bool Process::running() {
  return pid_ > 0 && !try_reap(/*block=*/false);
}

bool Process::signal(int sig) {
  if (pid_ <= 0 || reaped_) return false;
  return ::kill(pid_, sig) == 0;
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!try_reap(/*block=*/false)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return exit_status();
}

void Process::kill9() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  try_reap(/*block=*/true);
}

std::optional<int> Process::exit_status() const {
  if (pid_ <= 0 || !reaped_) return std::nullopt;
  return decode_status(raw_status_);
}

std::optional<int> Process::raw_wait_status() const {
  if (pid_ <= 0 || !reaped_) return std::nullopt;
  return raw_status_;
}

int Process::decode_status(int raw_status) {
  if (WIFEXITED(raw_status)) return WEXITSTATUS(raw_status);
  if (WIFSIGNALED(raw_status)) return 128 + WTERMSIG(raw_status);
  return -1;
}

}  // namespace basalt::test
