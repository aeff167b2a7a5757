// node/core/stats.cpp — see stats.h: the error-code count behind INFO errorstats.
#include "node/core/stats.h"

namespace basalt::core {

void Stats::count_error(std::string_view error) {
  ++total_error_replies;
  // Redis takes the code from the first 32 bytes, up to the first space; ERR otherwise.
  std::string_view head = error.substr(0, 32);
  size_t space = head.find(' ');
  std::string_view code = space == std::string_view::npos || space == 0 ? std::string_view("ERR")
                                                                        : head.substr(0, space);
  auto it = error_codes.find(code);
  if (it != error_codes.end()) {
    ++it->second;
  } else if (error_codes.size() < kMaxErrorCodes) {
    error_codes.emplace(std::string(code), 1);
  }
}

}  // namespace basalt::core
