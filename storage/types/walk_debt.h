// storage/types/walk_debt.h — what walking across a collection's tombstones has cost so far,
// per collection version: the basis of the decision to copy a hash, set or sorted set to a
// fresh version (types/collection.h, save()). A walk (HGETALL, SMEMBERS, a scan page, a
// random pick's seek, SPOP's pool draw) crosses the tombstones of earlier deletions until
// RocksDB's compaction drops them; the copy costs a write per live element, paid on the
// write path of one command. Copying only once the walks have crossed some multiple of the
// live elements bounds the waste either way (the copy is never more than that multiple of
// what the walks already lost), and a collection that is drained without being walked
// (ZPOPMIN, SPOP from a pool) is never copied at all.
// The count is an estimate: a walk that visited v of a version's `size` live elements is
// taken to have crossed v * dead / size tombstones (deletions spread evenly).
// Bounded: at most kWalkDebts versions, the least recently charged dropped (its walks are
// then forgotten: a later copy, never a wrong answer). Shared by every view, on the event
// loop and off it (heavy reads and jobs walk there), so it locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::storage::types {

inline constexpr size_t kWalkDebts = 64;

class WalkDebts {
 public:
  // Adds `crossed` tombstones to (db, key, version)'s count.
  void charge(uint16_t db, std::string_view key, uint64_t version, uint64_t crossed);
  // The tombstones walks of (db, key, version) crossed (0: none recorded).
  uint64_t owed(uint16_t db, std::string_view key, uint64_t version) const;
  // Forgets (db, key, version): it was copied to a fresh version (counted: copies()).
  void settle(uint16_t db, std::string_view key, uint64_t version);
  void clear();
  size_t size() const;
  // Collections copied (settle() calls): INFO collection_copies.
  uint64_t copies() const;

 private:
  struct Debt {
    uint16_t db = 0;
    std::string key;
    uint64_t version = 0;
    uint64_t crossed = 0;
    uint64_t used = 0;  // when last charged (least recently charged goes first)
  };
  mutable std::mutex mutex_;
  std::vector<Debt> debts_;
  // debts_.size(), readable without the lock: owed() of an empty table (the common case:
  // pops never walk across tombstones) takes no lock. A charge racing it is as if it came
  // after (a debt is an estimate, settled at a later save).
  std::atomic<size_t> count_{0};
  uint64_t clock_ = 0;
  uint64_t copies_ = 0;
};

// Tombstones a walk that visited `visited` live elements of a version with `size` live and
// `dead` dead ones crossed, by the even-spread estimate (at most `dead`).
uint64_t estimated_crossing(uint64_t visited, uint64_t size, uint64_t dead);

}  // namespace basalt::storage::types
