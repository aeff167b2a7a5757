// node/core/slowlog.cpp — see slowlog.h.
#include "node/core/slowlog.h"

#include <chrono>

#include "node/core/redaction.h"

namespace basalt::core {

void SlowLog::maybe_add(std::span<const std::string_view> argv, uint64_t duration_us,
                        int64_t threshold_us, int64_t max_len, const std::string& client_addr,
                        const std::string& client_name) {
  if (threshold_us < 0 || duration_us < static_cast<uint64_t>(threshold_us)) return;
  SlowLogEntry e;
  e.id = next_id_++;
  e.unix_time_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  e.duration_us = duration_us;
  // As Redis: the first 31 arguments and a note of how many more, each argument cut at 128
  // bytes with a note of how many more bytes.
  size_t kept = argv.size() > kMaxArgs ? kMaxArgs - 1 : argv.size();
  for (size_t i = 0; i < kept; ++i) {
    std::string_view a = is_secret_argument(argv, i) ? std::string_view("(redacted)") : argv[i];
    if (a.size() > kMaxArgBytes) {
      e.args.push_back(std::string(a.substr(0, kMaxArgBytes)) + "... (" +
                       std::to_string(a.size() - kMaxArgBytes) + " more bytes)");
    } else {
      e.args.emplace_back(a);
    }
  }
  if (kept < argv.size()) {
    e.args.push_back("... (" + std::to_string(argv.size() - kept) + " more arguments)");
  }
  e.client_addr = client_addr;
  e.client_name = client_name;
  entries_.push_front(std::move(e));
  while (entries_.size() > static_cast<size_t>(max_len < 0 ? 0 : max_len)) entries_.pop_back();
}

}  // namespace basalt::core
