// node/core/redaction.cpp — see redaction.h.
#include "node/core/redaction.h"

#include <cctype>

namespace basalt::core {

namespace {

bool is(std::string_view arg, std::string_view lower_name) {
  if (arg.size() != lower_name.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(arg[i])) != lower_name[i]) return false;
  }
  return true;
}

}  // namespace

bool is_secret_argument(std::span<const std::string_view> argv, size_t i) {
  if (argv.empty() || i == 0 || i >= argv.size()) return false;
  if (is(argv[0], "auth")) return true;
  if (is(argv[0], "hello")) {
    for (size_t j = 2; j < i; ++j) {
      if (is(argv[j], "auth") && (i == j + 1 || i == j + 2)) return true;
    }
    return false;
  }
  if (is(argv[0], "config") && argv.size() > 1 && is(argv[1], "set") && i >= 3 && i % 2 == 1) {
    return is(argv[i - 1], "requirepass") || is(argv[i - 1], "masterauth") ||
           is(argv[i - 1], "masteruser");
  }
  return false;
}

}  // namespace basalt::core
