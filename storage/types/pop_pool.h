// storage/types/pop_pool.h — SPOP's batches of random picks: for a large set being popped, one
// pass over its members draws a uniform random sequence of up to kPopPoolMembers of them
// (without replacement), kept in memory, and the pops that follow take it in order, one point
// lookup each, instead of a trie descent of a dozen seeks each (seek_sampler.h). Taking a
// uniform random sequence in order is a uniform sample without replacement, so each pop is an
// exactly uniform pick among the members left, as long as the pool still describes the set:
// - it is for one (db, key, version): a key deleted, renamed, copied, flushed or rebuilt gets a
//   fresh version (versions are never reused), so its pool is never found again;
// - it records the version's insertion count (CollectionMeta size + dead: an addition adds
//   one, a removal moves one from size to dead), so any addition since makes it stale;
// - removals by others are fine (a uniform sequence without the removed member is a uniform
//   sequence of what is left): each candidate is checked to be still a member when taken;
// - a rolled-back command, a write group that failed to commit, or a dataset loaded by a full
//   sync drops every pool (clear()).
// Bounded: at most kPopPools pools (least recently used dropped), each of at most
// kPopPoolMembers names and about kPopPoolBytes bytes. Used by the event loop's views only,
// and only for sets of at most kPopPoolMaxSet members: drawing a pool walks the whole set on
// the event loop, so a larger set picks by the trie descent (a few seeks per pop) instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::storage::types {

inline constexpr size_t kPopPools = 8;
inline constexpr uint64_t kPopPoolMembers = 16384;
inline constexpr uint64_t kPopPoolBytes = uint64_t{1} << 20;
inline constexpr uint64_t kPopPoolMaxSet = uint64_t{1} << 17;

struct PopPool {
  uint16_t db = 0;
  std::string key;
  uint64_t version = 0;
  uint64_t inserted = 0;             // size + dead of the version when drawn
  std::vector<std::string> members;  // a uniform random sequence, taken from `next` on
  size_t next = 0;
  uint64_t used = 0;  // when last used (least recently used goes first)

  bool exhausted() const { return next >= members.size(); }
};

class PopPools {
 public:
  // The pool of (db, key, version) if it is still for `inserted`; a stale one is dropped.
  PopPool* find(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted);
  // Replaces the pool of (db, key, version) (or the least recently used one) with `members`.
  PopPool& install(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted,
                   std::vector<std::string> members);
  void clear() { pools_.clear(); }
  size_t size() const { return pools_.size(); }

 private:
  std::vector<PopPool> pools_;
  uint64_t clock_ = 0;
};

}  // namespace basalt::storage::types
