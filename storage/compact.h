// storage/compact.h — owns the manual compaction of the whole store (DEBUG COMPACT): flush the
// memtables, then compact every column family with data into its last level.
#pragma once

#include <rocksdb/status.h>

#include "storage/engine.h"

namespace basalt::storage {

// Flushes, then compacts the replication log, meta and the active generation's column families
// (the families Engine's flush covers), bottommost files rewritten too, so overwritten and
// deleted entries are dropped. Waits until done; for measuring the on-disk size per key
// (bench/bench_load.sh).
rocksdb::Status compact_all(Engine& engine);

}  // namespace basalt::storage
