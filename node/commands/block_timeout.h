// node/commands/block_timeout.h — the timeout argument of the blocking commands (BLPOP,
// BLMOVE, BZPOPMIN, ...), read exactly as Redis 7.0 reads it.
#pragma once

#include <cstdint>
#include <string_view>

#include "node/commands/command.h"

namespace basalt::commands {

// Seconds as a float (strtold rules), rounded up to whole milliseconds; 0 waits forever.
// Errors as Redis 7.0.15: "ERR timeout is not a float or out of range" for text that is not a
// number, "ERR timeout is negative" below zero and also for values whose milliseconds do not
// fit a long long (Redis's cast turns them negative), "ERR timeout is out of range" when now +
// timeout would overflow. The wait itself is capped at 100 years.
bool block_timeout_or_reply(Context& c, std::string_view arg, uint64_t& timeout_ms);

}  // namespace basalt::commands
