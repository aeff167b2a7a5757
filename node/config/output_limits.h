// node/config/output_limits.h — client-output-buffer-limit: per client class (normal, replica,
// pubsub) a hard limit and a soft limit held for some seconds, as Redis's directive; parsed
// from and printed as Redis's "class hard soft seconds ..." words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::config {

struct OutputLimit {
  uint64_t hard = 0;  // bytes; 0: none
  uint64_t soft = 0;  // bytes; 0: none
  uint64_t soft_seconds = 0;
};

struct OutputLimits {
  OutputLimit normal;
  OutputLimit replica{256ull << 20, 64ull << 20, 60};
  OutputLimit pubsub{32ull << 20, 8ull << 20, 60};
};

// Applies "class hard soft seconds [class ...]" over `limits` (a CONFIG SET may name some
// classes only); classes normal, replica (or slave), pubsub; sizes take memory units. On an
// error `limits` is unchanged and `error` says why.
bool parse_output_limits(std::string_view value, OutputLimits& limits, std::string& error);
// "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", as Redis prints it.
std::string format_output_limits(const OutputLimits& limits);

}  // namespace basalt::config
