// node/core/memory_limit.cpp — see memory_limit.h.
#include "node/core/memory_limit.h"

#include <malloc.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// libasan's (GCC ships no header for its allocator interface).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace basalt::core {

uint64_t allocator_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer malloc is the sanitizer's: glibc's mallinfo2 would report its own
  // (unused) arenas, so ask the sanitizer's allocator.
  return static_cast<uint64_t>(__sanitizer_get_current_allocated_bytes());
#else
  struct mallinfo2 mi = mallinfo2();
  return static_cast<uint64_t>(mi.uordblks) + static_cast<uint64_t>(mi.hblkhd);
#endif
}

uint64_t used_memory(const KeyspaceShared& shared) {
  uint64_t total = 0;
  for (uint64_t n : shared.dataset_bytes) total += n;
  return total;
}

}  // namespace basalt::core
