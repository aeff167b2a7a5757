// storage/snapshot.h — the storage side of a full sync: reading a consistent snapshot of the
// dataset entry by entry (the data column family, then the element sub-keys), and loading
// such entries into a staged generation while rebuilding what is derived from them (the
// expiry index, the per-db key and TTL counts, the dataset bytes), then flushing the generation and
// recording the counts in the batch that activates it. Framing, checksums and the network are the
// replication's (node/replication/snapshot_format.h, replica_feeds.cpp, snapshot_loader.cpp).
#pragma once

#include <rocksdb/iterator.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/engine.h"

namespace basalt::storage {

// Which column family a snapshot entry belongs to.
enum class SnapshotFamily : uint8_t { Data, Sub };

// Walks a snapshot taken at construction (take it between two write groups for an exact
// offset): every data entry, then every sub-key entry, in key order.
class SnapshotScan {
 public:
  explicit SnapshotScan(Engine& engine);
  ~SnapshotScan();
  SnapshotScan(const SnapshotScan&) = delete;
  SnapshotScan& operator=(const SnapshotScan&) = delete;

  // True while positioned on an entry; moves on to the next family as one ends. Throws
  // std::runtime_error if reading failed (never a shorter snapshot).
  bool valid();
  // The current entry: key and value stay valid until next().
  SnapshotFamily family() const { return phase_ == 0 ? SnapshotFamily::Data : SnapshotFamily::Sub; }
  std::string_view key() const { return {it_->key().data(), it_->key().size()}; }
  std::string_view value() const { return {it_->value().data(), it_->value().size()}; }
  void next() { it_->Next(); }

 private:
  Engine& engine_;
  const rocksdb::Snapshot* snapshot_;
  // The families as they were when the snapshot was taken.
  rocksdb::ColumnFamilyHandle* families_[2];
  std::unique_ptr<rocksdb::Iterator> it_;
  int phase_ = 0;  // 0: data, 1: sub, 2: done
};

// Loads snapshot entries into a staged generation (Engine::create_generation): each batch of
// entries is written without the WAL (the generation is flushed before it becomes active);
// data records also put their expiry index entry and are counted per db.
class SnapshotLoad {
 public:
  SnapshotLoad(Engine& engine, const Engine::Generation& staged, size_t databases);

  // Adds one entry to the pending batch.
  void add(SnapshotFamily family, std::string_view key, std::string_view value);
  // Writes the pending batch; false if the write failed.
  bool write();
  // Flushes the staged generation's column families to disk (waiting); false on failure.
  bool flush();
  // Puts the per-db key and TTL counts into the batch that activates the generation.
  void put_counts(rocksdb::WriteBatch& batch) const;

  const std::vector<uint64_t>& key_counts() const { return counts_; }
  const std::vector<uint64_t>& expire_counts() const { return expires_; }
  const std::vector<uint64_t>& dataset_bytes() const { return bytes_; }

 private:
  Engine& engine_;
  const Engine::Generation& staged_;
  rocksdb::WriteBatch batch_;
  std::vector<uint64_t> counts_, expires_, bytes_;
};

}  // namespace basalt::storage
