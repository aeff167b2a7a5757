// storage/compact.cpp — the manual compaction of the whole store (see compact.h).
#include "storage/compact.h"

#include <rocksdb/options.h>

namespace basalt::storage {

rocksdb::Status compact_all(Engine& engine) {
  rocksdb::Status s = engine.flush();
  if (!s.ok()) return s;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (auto* cf : engine.live_families()) {
    s = engine.db()->CompactRange(co, cf, nullptr, nullptr);
    if (!s.ok()) return s;
  }
  return s;
}

}  // namespace basalt::storage
