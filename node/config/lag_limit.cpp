// node/config/lag_limit.cpp — owns parsing and printing replica-max-lag-reads: a lag bound in
// bytes of stream (a memory value) or as a duration (ms or s).
#include <cctype>
#include <cstdint>
#include <string>

#include "node/config/config.h"
#include "node/protocol/numbers.h"

namespace basalt::config {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

bool parse_lag_limit(const std::string& s, LagLimit& out, std::string& error) {
  std::string l = s;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  LagLimit parsed;
  int64_t n = 0;
  const bool millis = ends_with(l, "ms");
  if (millis || (ends_with(l, "s") && std::isdigit(static_cast<unsigned char>(l[l.size() - 2])))) {
    const std::string digits = l.substr(0, l.size() - (millis ? 2 : 1));
    const int64_t mul = millis ? 1 : 1000;
    if (!protocol::parse_i64(digits, n) || n < 0 || n > INT64_MAX / mul) {
      error = "argument must be 0, a size (1mb) or a duration (500ms, 5s)";
      return false;
    }
    parsed.ms = n * mul;
  } else {
    if (!parse_memory(l, n) || n < 0) {
      error = "argument must be 0, a size (1mb) or a duration (500ms, 5s)";
      return false;
    }
    parsed.bytes = n;
  }
  out = parsed;
  return true;
}

std::string format_lag_limit(const LagLimit& limit) {
  if (limit.ms > 0) return std::to_string(limit.ms) + "ms";
  return std::to_string(limit.bytes);
}

}  // namespace basalt::config
