// node/protocol/numbers.cpp — see numbers.h.
#include "node/protocol/numbers.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace basalt::protocol {

bool parse_i64(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s.size() == 1 && s[0] == '0') {
    out = 0;
    return true;
  }
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) return false;
    out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    out = static_cast<int64_t>(v);
  }
  return true;
}

bool parse_long_double(std::string_view s, long double& out) {
  // As string2ld: the text must fit MAX_LONG_DOUBLE_CHARS (5 KiB) with its terminator.
  if (s.empty() || s.size() >= 5 * 1024) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  // Overflow and underflow to zero are errors; a subnormal result is a valid number.
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return false;
  out = v;
  return true;
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty() || s.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() ||
      (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) || std::isnan(v))
    return false;
  out = v;
  return true;
}

std::string format_long_double_human(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5600];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  std::string s(buf, static_cast<size_t>(len));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[128];
  // Whole numbers below 2^53 (most scores): %.17g prints their digits, nothing more (at most
  // 16 of them), and snprintf cost a ZPOPMIN reply 2,400 instructions.
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (v > -kExact && v < kExact && v != 0) {
    const auto whole = static_cast<int64_t>(v);
    if (static_cast<double>(whole) == v) {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), whole);
      return std::string(buf, end);
    }
  }
  if (std::isfinite(v)) {
    // The standard's to_chars in general format with a precision prints as printf's %.17g.
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
    if (ec == std::errc()) return std::string(buf, end);
  }
  int len = std::snprintf(buf, sizeof(buf), "%.17g", v);  // NaN (never stored), -0
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace basalt::protocol
