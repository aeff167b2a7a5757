// node/config/memory_units.cpp — owns parsing Redis's memory units ("1k", "2kb", "3mb") for
// memory directives.
#include <cctype>
#include <cstdint>
#include <string>

#include "node/config/config.h"
#include "node/protocol/numbers.h"

namespace basalt::config {

bool parse_memory(const std::string& s, int64_t& out) {
  std::string l = s;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t digits = 0;
  if (!l.empty() && l[0] == '-') digits = 1;
  while (digits < l.size() && std::isdigit(static_cast<unsigned char>(l[digits]))) ++digits;
  std::string unit = l.substr(digits);
  int64_t mul = 1;
  if (unit.empty() || unit == "b")
    mul = 1;
  else if (unit == "k")
    mul = 1000;
  else if (unit == "kb")
    mul = 1024;
  else if (unit == "m")
    mul = 1000 * 1000;
  else if (unit == "mb")
    mul = 1024 * 1024;
  else if (unit == "g")
    mul = 1000ll * 1000 * 1000;
  else if (unit == "gb")
    mul = 1024ll * 1024 * 1024;
  else
    return false;
  int64_t n;
  if (!protocol::parse_i64(l.substr(0, digits), n)) return false;
  if (n != 0 && (n > INT64_MAX / mul || n < INT64_MIN / mul)) return false;
  out = n * mul;
  return true;
}

}  // namespace basalt::config
