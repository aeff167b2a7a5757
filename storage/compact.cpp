// storage/compact.cpp — the manual compaction of the whole store (see compact.h).
#include "storage/compact.h"

#include <rocksdb/options.h>

namespace basalt::storage {

rocksdb::Status compact_all(Engine& engine) {
  rocksdb::Status s = engine.flush();
  if (!s.ok()) return s;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const Engine::Generation& g = engine.active_generation();
  for (auto* cf : {engine.log_cf(), engine.meta_cf(), g.data, g.expiry, g.sub}) {
    s = engine.db()->CompactRange(co, cf, nullptr, nullptr);
    if (!s.ok()) return s;
  }
  return s;
}

}  // namespace basalt::storage
