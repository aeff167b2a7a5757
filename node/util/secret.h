// node/util/secret.h — comparing a secret (a password) with what a client sent in time that
// does not depend on where they first differ, so timing cannot reveal it byte by byte.
#pragma once

#include <string_view>

namespace basalt::util {

// True if a == b. Both are hashed (XXH3-128 with a per-process random seed) and the digests
// compared without an early exit: the time depends only on the two lengths, never on how
// many leading bytes match.
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace basalt::util
