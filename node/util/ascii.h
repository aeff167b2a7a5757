// node/util/ascii.h — ASCII case-insensitive comparison of option words ("EX", "nx", ...), the
// one rule every part that reads command words uses.
#pragma once

#include <cctype>
#include <string_view>

namespace basalt::util {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace basalt::util
