// tests/support/wait.cpp — see wait.h.
#include "tests/support/wait.h"

#include <sstream>
#include <thread>

namespace basalt::test {

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // a server restarting or a connection refused: keep polling until the deadline
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string info_field(RespClient& client, const std::string& section, const std::string& field) {
  std::string text = client.get_string({"INFO", section});
  std::istringstream lines(text);
  std::string line;
  std::string prefix = field + ":";
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

long long info_int(RespClient& client, const std::string& section, const std::string& field) {
  std::string v = info_field(client, section, field);
  return v.empty() ? -1 : std::stoll(v);
}

bool wait_for_master_link(RespClient& replica, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] { return info_field(replica, "replication", "master_link_status") == "up"; }, timeout);
}

bool wait_for_same_offset(RespClient& master, RespClient& replica,
                          std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        const long long m = info_int(master, "replication", "master_repl_offset");
        return m >= 0 && info_int(replica, "replication", "master_repl_offset") == m;
      },
      timeout);
}

}  // namespace basalt::test
