// tests/support/ports.cpp — owns loopback port allocation for tests (see ports.h).
#include "tests/support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace basalt::test {
namespace {

std::mutex g_mutex;
std::set<int> g_handed_out;  // guarded by g_mutex

[[noreturn]] void throw_errno(const std::string& what, int err) {
  throw std::runtime_error("free_port: " + what + ": " + std::strerror(err));
}

// Binds a fresh socket to 127.0.0.1:0 and returns the port the kernel chose.
int bind_ephemeral() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    throw_errno("bind 127.0.0.1:0", err);
  }
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    throw_errno("getsockname", err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

int free_port() {
  std::lock_guard lock(g_mutex);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = bind_ephemeral();
    if (port > 0 && g_handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("free_port: no port that was not already handed out in 1000 tries");
}

}  // namespace basalt::test
