// node/core/memory_limit.h — the memory figures INFO reports and the maxmemory decision the
// command runner makes before each command. basalt's used_memory is the logical dataset size
// (storage/dataset_size.h, kept per db in KeyspaceShared::dataset_bytes) since the data lives
// in RocksDB on disk; the process's heap is reported apart (allocator_bytes).
#pragma once

#include <cstdint>
#include <string_view>

#include "node/core/keyspace.h"

namespace basalt::core {

// Bytes handed out by malloc (RocksDB's block cache and memtables included).
uint64_t allocator_bytes();

// The committed dataset size: INFO used_memory.
uint64_t used_memory(const KeyspaceShared& shared);

inline constexpr std::string_view kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

}  // namespace basalt::core
