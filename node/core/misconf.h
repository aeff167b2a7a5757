// node/core/misconf.h — the error a write gets while the store can't write (`cause`: the
// storage error). The dispatch gate and the write pipeline (for writes whose commit failed)
// answer with this same text.
#pragma once

#include <string>

namespace basalt::core {

inline std::string misconf_error(const std::string& cause) {
  return "MISCONF Errors writing to the storage engine: " + cause;
}

}  // namespace basalt::core
