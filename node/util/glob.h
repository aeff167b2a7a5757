// node/util/glob.h — Redis-style glob matching (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE).
#pragma once

#include <string_view>

namespace basalt::util {

// Supports '*', '?', '[abc]', '[^a-z]' and '\' escapes, as Redis's stringmatchlen.
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace basalt::util
