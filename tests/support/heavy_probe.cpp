// tests/support/heavy_probe.cpp — see heavy_probe.h.
#include "tests/support/heavy_probe.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>

#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {

using namespace std::chrono_literals;

void send_pipelined(RespClient& c, const std::vector<Command>& commands) {
  std::string bytes;
  for (const auto& args : commands) bytes += encode_command(args);
  c.send_raw(bytes);
  for (size_t i = 0; i < commands.size(); ++i) {
    Reply r = c.read_reply();
    ASSERT_FALSE(r.is_error()) << render_command(commands[i]) << ": " << r.to_string();
  }
}

bool reply_ready(const RespClient& c) {
  if (c.buffered_bytes() > 0) return true;
  pollfd p{c.fd(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool ping_answered_during(RespClient& heavy, RespClient& other, const Command& command,
                          Reply& reply, const std::string& counter) {
  long long before = info_int(other, "stats", counter);
  heavy.send_command(command);
  // No sleep between the probes (a polling interval could outlast a short job): every INFO
  // and PING is a command the node answers, so one answered after the counter moved and
  // before `heavy`'s reply arrived shows the loop serving while the job ran.
  bool started = false, answered = false;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!answered && !reply_ready(heavy) && std::chrono::steady_clock::now() < deadline) {
    if (!started) {
      started = info_int(other, "stats", counter) > before;
      answered = started && !reply_ready(heavy);
      if (!started) continue;
    }
    Reply pong = other.command({"PING"});
    EXPECT_TRUE(pong.is_status("PONG")) << pong.to_string();
    answered = !reply_ready(heavy);  // the PONG came first
  }
  EXPECT_TRUE(started || answered) << command[0] << ": " << counter << " never moved";
  reply = heavy.read_reply();
  return answered;
}

}  // namespace basalt::test
