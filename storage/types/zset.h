// storage/types/zset.h — a sorted set key as the commands use it (see zset_encoding.h for the
// layout): open with the type rule, read a member's score, add / change / remove members
// (both entries and the count kept in step), walk the score index forwards or backwards from
// a rank, a score, or a (score, member) position, pop from either end, random picks, replace
// a key's value with given entries, and save the metadata (removing the key once empty).
// Range queries over the index are in zset_ranges.h. Writes go to the batch of the current
// write group; never write while a cursor is open.
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/types/collection.h"
#include "storage/types/zset_encoding.h"

namespace basalt::storage::types::zset {

class ZSet : public Collection {
 public:
  using Collection::Collection;
  uint64_t size() const { return meta.size; }
  uint64_t version() const { return meta.version; }
  // The index tombstones pops left below the floor / above the ceiling (CollectionMeta).
  uint64_t& behind_floor() { return meta.head; }
  uint64_t& behind_ceiling() { return meta.tail; }
};

// Opens `z` as a sorted set (a missing key is fine).
inline Status open(ZSet& z, Access access) {
  return z.open(ValueType::ZSet, access);
}
// Writes the metadata, or removes the key when it became empty.
inline void save(ZSet& z) {
  z.save(ValueType::ZSet);
}

// The score of `member` in an opened sorted set; false if it is not there.
bool score_of(const Collection& z, std::string_view member, double& score);
// f(member, score) for every member, in member order.
void for_each_member(const Collection& z, const std::function<void(std::string_view, double)>& f);
// Adds a new member (the set must have a version: ensure_version).
void insert_member(ZSet& z, std::string_view member, double score);
void change_score(ZSet& z, std::string_view member, double old_score, double score);
void erase_member(ZSet& z, std::string_view member, double score);

using Entry = std::pair<std::string, double>;  // (member, score)

// Replaces whatever `key` holds (any type, TTL dropped) with a sorted set of `entries`
// (distinct members), or removes the key when `entries` is empty. True if anything changed.
bool replace_with_entries(KeyAccess& ks, uint16_t db, std::string_view key,
                          const std::vector<Entry>& entries);

// Removes up to `count` members from the low (or, max, the high) end of an existing set, in
// pop order, and saves it. The index entries removed stay behind the bound the pop moves
// (floor / ceiling), where no walk goes: they are counted there, not in meta.dead, so they
// never make save() copy the set (only the member tombstones do).
std::vector<Entry> pop(ZSet& z, uint64_t count, bool max);

// Random members as Redis picks them (see Collection::random), from the member entries
// only; with repeats, at most `count` draws.
std::vector<Entry> random_members(const ZSet& z, uint64_t count, bool unique);

// A walk over the score index in one direction: forwards (ascending score, then member) or
// backwards. Positioning calls leave it on the first entry in walking order that qualifies.
class IndexCursor {
 public:
  // `charge_walk`: when the cursor ends, the entries it visited are charged to the set's walk
  // debts (walk_debt.h, Collection::note_walk), as any walk's; pops do not charge theirs (they
  // start past the tombstones of the pops before them, at the floor or ceiling).
  IndexCursor(const ZSet& z, bool reverse, bool charge_walk = true);
  ~IndexCursor();
  IndexCursor(const IndexCursor&) = delete;
  IndexCursor& operator=(const IndexCursor&) = delete;

  void to_first();
  // The entry at `rank` in walking order (0 = first); chooses the nearer end to start from.
  void to_rank(uint64_t rank, uint64_t size);
  // Forwards: the first entry with score >= bound (> bound if exclusive).
  // Backwards: the last entry with score <= bound (< bound if exclusive).
  void to_score(double bound, bool exclusive);
  // Forwards: the first entry at or after (score, member); backwards: at or before it.
  void to_entry(double score, std::string_view member);

  bool valid() const { return valid_; }
  double score() const { return score_; }
  std::string_view member() const { return member_; }
  void next();
  Entry entry() const { return {std::string(member_), score_}; }

 private:
  void seek(std::string_view part);          // first index entry >= part
  void seek_at_most(std::string_view part);  // last index entry <= part
  void seek_before(std::string_view part);   // last index entry < part
  void load();

  const ZSet* z_;
  bool charge_walk_;
  uint64_t visited_ = 0;  // entries loaded
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string floor_, ceiling_;  // the set's bounds (CollectionMeta) when the cursor was made
  std::string upper_;            // the iterator's upper bound: just past the ceiling
  std::string prefix_;           // collection prefix + 's'
  std::string target_;
  bool reverse_;
  bool valid_ = false;
  double score_ = 0;
  std::string_view member_;
};

}  // namespace basalt::storage::types::zset
