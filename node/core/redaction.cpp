// node/core/redaction.cpp — see redaction.h.
#include "node/core/redaction.h"

#include "node/util/ascii.h"

namespace basalt::core {

using util::iequals;

bool is_secret_argument(std::span<const std::string_view> argv, size_t i) {
  if (argv.empty() || i == 0 || i >= argv.size()) return false;
  if (iequals(argv[0], "auth")) return true;
  if (iequals(argv[0], "hello")) {
    for (size_t j = 2; j < i; ++j) {
      if (iequals(argv[j], "auth") && (i == j + 1 || i == j + 2)) return true;
    }
    return false;
  }
  if (iequals(argv[0], "config") && argv.size() > 1 && iequals(argv[1], "set") && i >= 3 &&
      i % 2 == 1) {
    return iequals(argv[i - 1], "requirepass") || iequals(argv[i - 1], "masterauth") ||
           iequals(argv[i - 1], "masteruser") || iequals(argv[i - 1], "http-token") ||
           iequals(argv[i - 1], "tls-key-file-pass") ||
           iequals(argv[i - 1], "tls-client-key-file-pass");
  }
  return false;
}

}  // namespace basalt::core
