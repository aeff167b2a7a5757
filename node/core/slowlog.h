// node/core/slowlog.h — the slow log (SLOWLOG GET / LEN / RESET): commands that ran at least
// slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len of them, each
// with its arguments shortened as Redis shortens them (32 arguments, 128 bytes each).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::core {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t unix_time_s = 0;
  uint64_t duration_us = 0;
  std::vector<std::string> args;
  std::string client_addr;
  std::string client_name;
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Records a command that took duration_us if the threshold says so (negative: off), then
  // trims to max_len entries.
  void maybe_add(std::span<const std::string_view> argv, uint64_t duration_us, int64_t threshold_us,
                 int64_t max_len, const std::string& client_addr, const std::string& client_name);
  const std::deque<SlowLogEntry>& entries() const { return entries_; }  // newest first
  void reset() { entries_.clear(); }

 private:
  std::deque<SlowLogEntry> entries_;
  uint64_t next_id_ = 0;
};

}  // namespace basalt::core
