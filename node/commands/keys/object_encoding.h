// node/commands/keys/object_encoding.h — OBJECT ENCODING: the encoding Redis 7.0 would use for a
// value of the same type, size and contents under the current thresholds (the
// *-max-listpack-* / set-max-intset-entries directives). basalt stores every value the same
// way whatever it answers here; clients and tests use the answer to reason about Redis.
// Redis converts a value only when it is written (and never back to the compact form), so
// a value that shrank, or was written before a threshold changed, may differ from Redis.
#pragma once

#include <string_view>

#include "node/commands/command.h"

namespace basalt::commands {

// Redis 7.0's rule for strings: "int" (a canonical 64-bit integer), "embstr" (<= 44 bytes),
// "raw".
std::string_view string_encoding(std::string_view value);

// Redis's string2ll: a canonical decimal 64-bit integer (no sign "+", no leading zeros,
// not "-0", at most 20 characters).
bool is_canonical_int(std::string_view s);

// The encoding of a live lookup `l` of `key` in the client's db.
std::string_view object_encoding(Context& c, std::string_view key, const core::Lookup& l);

}  // namespace basalt::commands
