// storage/repl_log.h — the replication log: the RESP bytes of every write group, keyed by
// the offset of their first byte (offsets are 1-based, as in Redis: the byte after
// master_repl_offset N has offset N+1). The log is the on-disk backlog.
#pragma once

#include <rocksdb/write_batch_base.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/engine.h"

namespace basalt::storage {

class ReplLog {
 public:
  explicit ReplLog(Engine& engine) : engine_(engine) {}

  // Adds `bytes`, whose first byte has offset `first_offset`, to `batch`.
  void append(rocksdb::WriteBatchBase& batch, uint64_t first_offset, std::string_view bytes);

  // Offset of the first byte still held, or 0 when the log is empty.
  uint64_t first_offset() const;

  // Appends to `out` up to about `max_bytes` of stream starting at byte `from` (1-based).
  // Returns false if `from` is no longer (or not yet) covered by the log.
  bool read(uint64_t from, uint64_t end_offset, size_t max_bytes, std::string& out) const;

  // Drops whole entries that lie entirely before `keep_from`.
  rocksdb::Status trim_before(uint64_t keep_from);

 private:
  Engine& engine_;
};

}  // namespace basalt::storage
