// node/util/log_rate.h — bounds how often one kind of log line is written (failed TLS
// handshakes, which anyone who can reach the port can cause): at most `burst` lines per
// `window`, then one line saying how many were left out.
#pragma once

#include <chrono>
#include <cstdint>

namespace basalt::util {

class LogRate {
 public:
  using clock = std::chrono::steady_clock;
  LogRate(uint32_t burst, std::chrono::milliseconds window) : burst_(burst), window_(window) {}

  // Whether a line may be written now; `suppressed` receives how many were left out since
  // the last one written (to mention in it).
  bool allow(uint64_t& suppressed) {
    auto now = clock::now();
    if (now - window_start_ >= window_) {
      window_start_ = now;
      used_ = 0;
    }
    if (used_ >= burst_) {
      ++suppressed_;
      return false;
    }
    ++used_;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  uint32_t burst_;
  std::chrono::milliseconds window_;
  clock::time_point window_start_{};
  uint32_t used_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace basalt::util
