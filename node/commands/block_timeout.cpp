// node/commands/block_timeout.cpp — see block_timeout.h.
#include "node/commands/block_timeout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {
constexpr uint64_t kMaxTimeoutMs = 100ull * 365 * 24 * 3600 * 1000;
}

bool block_timeout_or_reply(Context& c, std::string_view arg, uint64_t& timeout_ms) {
  long double seconds;
  if (!protocol::parse_long_double(arg, seconds)) {
    c.reply.error("ERR timeout is not a float or out of range");
    return false;
  }
  long double ms = std::ceil(seconds * 1000.0L);
  // -0.0001 rounds up to 0 (wait forever) as in Redis; out of long long range is "negative".
  constexpr long double kLimit = 9223372036854775808.0L;  // 2^63
  if (!(ms >= -kLimit && ms < kLimit) || ms < 0) {
    c.reply.error("ERR timeout is negative");
    return false;
  }
  auto rounded = static_cast<int64_t>(ms);
  // Redis adds the current time to a positive timeout and refuses what would overflow.
  if (rounded > 0 && rounded > INT64_MAX - static_cast<int64_t>(c.now_ms())) {
    c.reply.error("ERR timeout is out of range");
    return false;
  }
  timeout_ms = std::min(static_cast<uint64_t>(rounded), kMaxTimeoutMs);
  return true;
}

}  // namespace basalt::commands
