// node/core/memory_limit.h — the process's memory as INFO reports it (used_memory) and the
// maxmemory write gate. basalt evicts nothing (its data lives on disk): with maxmemory set
// and used memory above it, commands flagged deny-oom are refused with Redis's OOM error,
// whatever maxmemory-policy says (Redis's noeviction behaviour).
#pragma once

#include <cstdint>
#include <string_view>

namespace basalt::core {

// Bytes handed out by malloc (RocksDB's block cache and memtables included).
uint64_t used_memory();

// True if `maxmemory` (0 = no limit) is set and used memory is above it.
bool over_maxmemory(int64_t maxmemory);

inline constexpr std::string_view kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

}  // namespace basalt::core
