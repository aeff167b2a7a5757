// node/commands/zsets/zset_format.cpp — see zset_format.h.
#include "node/commands/zsets/zset_format.h"

#include <climits>
#include <cmath>

#include "node/protocol/numbers.h"

namespace basalt::commands::zset {

std::string format_score(double score) {
  return protocol::format_double(score);
}

std::string format_listpack_score(double score) {
  // Redis's double2ll: values within +-LLONG_MAX/2 that convert exactly are kept as integers.
  constexpr double kLimit = static_cast<double>(LLONG_MAX / 2);
  if (std::isfinite(score) && score >= -kLimit && score <= kLimit) {
    auto ll = static_cast<long long>(score);
    if (static_cast<double>(ll) == score) return std::to_string(ll);
  }
  return protocol::format_double(score);
}

}  // namespace basalt::commands::zset
