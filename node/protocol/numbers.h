// node/protocol/numbers.h — strict number parsing and formatting with Redis's rules
// (no leading '+', spaces or zeros; long doubles printed the way Redis prints them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::protocol {

// Parses a signed 64-bit integer exactly as Redis's string2ll does.
bool parse_i64(std::string_view s, int64_t& out);
// Parses a double as Redis's string2d / string2ld does (no spaces, no NaN); accepts inf.
bool parse_double(std::string_view s, double& out);
bool parse_long_double(std::string_view s, long double& out);
// Formats like Redis's ld2string(LD_STR_HUMAN) used by INCRBYFLOAT.
std::string format_long_double_human(long double v);
// Formats like Redis's %.17g reply for doubles (RESP2 bulk).
std::string format_double(double v);

}  // namespace basalt::protocol
