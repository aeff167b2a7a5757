// tests/support/netns.cpp — see netns.h.
#include "tests/support/netns.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

namespace basalt::test {
namespace {

std::atomic<int> next_index{0};

// Runs argv (no shell: every word is ours) and returns its exit status; its combined output
// goes to *output.
int run(const std::vector<std::string>& argv, std::string* output) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::perror(args[0]);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

NetnsLink::NetnsLink() {
  const int pid = static_cast<int>(::getpid());
  const int n = next_index++;
  ns_ = "basalt-" + std::to_string(pid) + "-" + std::to_string(n);
  // Interface names have at most 15 characters.
  root_if_ = "bvr" + std::to_string(pid % 1'000'000) + "n" + std::to_string(n % 1000);
  ns_if_ = "bvn" + std::to_string(pid % 1'000'000) + "n" + std::to_string(n % 1000);
  // 10.213.<pid-derived>.<4n>/30 -- the 10.213/16 block is unlikely to be in use, and the pid
  // keeps parallel test processes apart (64 links per process).
  const int third = pid % 256;
  const int base = (n % 64) * 4;
  const std::string prefix = "10.213." + std::to_string(third) + ".";
  root_addr_ = prefix + std::to_string(base + 1);
  ns_addr_ = prefix + std::to_string(base + 2);

  std::string out;
  auto step = [&](const std::vector<std::string>& argv) {
    if (run(argv, &out) == 0) return true;
    why_ = "`" + join(argv) + "` failed: " + out;
    while (!why_.empty() && (why_.back() == '\n' || why_.back() == ' ')) why_.pop_back();
    return false;
  };
  if (!step({"ip", "netns", "add", ns_})) return;
  ns_added_ = true;
  if (!step({"ip", "link", "add", root_if_, "type", "veth", "peer", "name", ns_if_})) {
    destroy();
    return;
  }
  link_added_ = true;
  const bool ok =
      step({"ip", "link", "set", ns_if_, "netns", ns_}) &&
      step({"ip", "addr", "add", root_addr_ + "/30", "dev", root_if_}) &&
      step({"ip", "link", "set", root_if_, "up"}) &&
      step({"ip", "netns", "exec", ns_, "ip", "addr", "add", ns_addr_ + "/30", "dev", ns_if_}) &&
      step({"ip", "netns", "exec", ns_, "ip", "link", "set", ns_if_, "up"}) &&
      step({"ip", "netns", "exec", ns_, "ip", "link", "set", "lo", "up"}) &&
      step({"ip", "netns", "exec", ns_, "iptables", "-w", "-S"});
  if (!ok) {
    destroy();
    return;
  }
  created_ = true;
}

NetnsLink::~NetnsLink() {
  destroy();
}

void NetnsLink::destroy() {
  // Deleting the root end deletes its peer too (wherever it is); deleting the namespace
  // removes its name and its iptables rules (processes still inside keep it alive until they
  // exit).
  if (link_added_) run({"ip", "link", "del", root_if_}, nullptr);
  if (ns_added_) run({"ip", "netns", "del", ns_}, nullptr);
  link_added_ = ns_added_ = created_ = false;
  cut_port_ = 0;  // the rules went with the namespace
}

void NetnsLink::set_rules(const char* action, int port) {
  const std::string p = std::to_string(port);
  for (const auto& rule :
       {std::vector<std::string>{"INPUT", "-s", root_addr_, "-p", "tcp", "--sport", p},
        {"OUTPUT", "-d", root_addr_, "-p", "tcp", "--dport", p}}) {
    std::vector<std::string> argv = {"ip", "netns", "exec", ns_, "iptables", "-w", action};
    argv.insert(argv.end(), rule.begin(), rule.end());
    argv.insert(argv.end(), {"-j", "DROP"});
    std::string out;
    if (run(argv, &out) != 0) throw std::runtime_error("`" + join(argv) + "` failed: " + out);
  }
}

void NetnsLink::cut(int root_port) {
  if (cut_port_ != 0) throw std::logic_error("NetnsLink::cut: already cut");
  cut_port_ = root_port;
  set_rules("-A", root_port);
}

void NetnsLink::heal() {
  if (cut_port_ == 0) return;
  set_rules("-D", cut_port_);
  cut_port_ = 0;
}

}  // namespace basalt::test
