// node/core/memory_limit.cpp — see memory_limit.h.
#include "node/core/memory_limit.h"

#include <malloc.h>

namespace basalt::core {

uint64_t allocator_bytes() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<uint64_t>(mi.uordblks) + static_cast<uint64_t>(mi.hblkhd);
}

uint64_t used_memory(const KeyspaceShared& shared) {
  uint64_t total = 0;
  for (uint64_t n : shared.dataset_bytes) total += n;
  return total;
}

}  // namespace basalt::core
