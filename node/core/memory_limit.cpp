// node/core/memory_limit.cpp — see memory_limit.h.
#include "node/core/memory_limit.h"

#include <malloc.h>

namespace basalt::core {

uint64_t used_memory() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<uint64_t>(mi.uordblks) + static_cast<uint64_t>(mi.hblkhd);
}

bool over_maxmemory(int64_t maxmemory) {
  return maxmemory > 0 && used_memory() > static_cast<uint64_t>(maxmemory);
}

}  // namespace basalt::core
