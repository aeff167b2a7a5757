// node/core/element_memo.h — a small direct-mapped memo of the element reads a write group
// sends to the database: a group that looks the same element up again (a pipeline of ZADDs
// or SADDs of a member already there, reads of one field among a pipeline's writes) takes it
// from here instead of a RocksDB point lookup each time. It holds committed state for one
// group only: a group's view (node/core/keyspace.h) draws a fresh stamp, and a slot filled
// under another stamp reads as a miss, so nothing outlives the group (no invalidation to keep
// in step with commits, flushes or a full sync). What the group itself writes is found before
// the memo is asked (its own records), and a slot keeps its buffers, so a warm memo allocates
// nothing. Loop-only, like the views that use it (a heavy job's view has a memo of its own).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/record_table.h"

namespace basalt::core {

class ElementMemo {
 public:
  enum class Hit { Miss, Present, Absent };

  static constexpr size_t kSlots = 256;
  // Larger values are not kept (a slot would hold on to the buffer).
  static constexpr size_t kMaxValueBytes = 256;

  // A stamp no slot holds yet: one per group.
  uint64_t new_stamp() { return ++last_stamp_; }

  Hit find(uint64_t stamp, std::string_view key, std::string& value) const {
    if (slots_.empty()) return Hit::Miss;
    const Slot& s = slots_[slot_of(key)];
    if (s.stamp != stamp || s.key != key) return Hit::Miss;
    if (!s.present) return Hit::Absent;
    value.assign(s.value);
    return Hit::Present;
  }

  void put(uint64_t stamp, std::string_view key, std::string_view value, bool present) {
    if (present && value.size() > kMaxValueBytes) return;
    if (slots_.empty()) slots_.resize(kSlots);
    Slot& s = slots_[slot_of(key)];
    s.stamp = stamp;
    s.key.assign(key);
    s.value.assign(present ? value : std::string_view());
    s.present = present;
  }

 private:
  struct Slot {
    uint64_t stamp = 0;  // 0: never filled
    bool present = false;
    std::string key, value;
  };
  static size_t slot_of(std::string_view key) { return RecordTable::hash(key) % kSlots; }

  uint64_t last_stamp_ = 0;
  std::vector<Slot> slots_;
};

}  // namespace basalt::core
