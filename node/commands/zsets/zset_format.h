// node/commands/zsets/zset_format.h — how sorted set scores are written in replies.
#pragma once

#include <string>

namespace basalt::commands::zset {

// Scores as Redis 7.0 replies them (RESP2 bulk text): "%.17g", "inf", "-inf".
std::string format_score(double score);
// Scores as Redis keeps them in a small (listpack) sorted set and so returns them from
// ZSCAN: integral values that fit a long long as integers, others "%.17g".
std::string format_listpack_score(double score);

}  // namespace basalt::commands::zset
