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
//   sequence of what is left): each candidate is checked to be still a member when taken,
//   unless the set's size is still what the pool's own pops left (`size_after`: nothing else
//   removed a member since), so a run of pops costs no lookup each;
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
#include <utility>
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
  // The set's size as the pool's last pops left it (0: not known). While the set still has
  // it, nothing else removed a member since: the next candidates need no membership check.
  uint64_t size_after = 0;

  bool exhausted() const { return next >= members.size(); }
};

// Sorted-set pops' read-ahead (zset.h, pop()): a walk that pops from one end reads the next
// entries from that end as well, and the pops that follow take them from here without a seek
// (a RocksDB iterator and its seek cost ZPOPMIN a quarter of its instructions). They are the
// next live entries as long as nothing but pops from this end touched the set:
// - it is for one (db, key, version), like a PopPool;
// - `stamp` is the set's size + dead: an addition, a score change and a removal each move it
//   by one, a pop not at all;
// - `own` and `other` are the set's bound at this end and at the other one (floor, ceiling:
//   CollectionMeta): a pop from the other end moves that one, a pop from this end this one,
//   and the pop that took from here records where it left it;
// - clear() drops these too (rolled-back commands, failed groups, a full sync).
// The pop checks all three before it takes anything. How far it reads ahead doubles each time
// the entries were all taken (kPopAheadFirst up to kPopAheadMost, and kPopAheadBytes of
// members at most), and starts again from kPopAheadFirst when they went stale, so a set that
// takes additions between its pops (a priority queue) reads few entries it never uses.
inline constexpr uint64_t kPopAheadFirst = 4;
inline constexpr uint64_t kPopAheadMost = 512;
inline constexpr uint64_t kPopAheadBytes = uint64_t{64} << 10;

struct PopAhead {
  uint16_t db = 0;
  std::string key;
  uint64_t version = 0;
  bool max = false;  // read from the high end (ZPOPMAX)
  uint64_t stamp = 0;
  std::string own, other;
  std::vector<std::pair<std::string, double>> entries;  // (member, score), from `next` on
  size_t next = 0;
  uint64_t span = kPopAheadFirst;  // how many to read ahead at the next walk
  uint64_t used = 0;

  size_t left() const { return entries.size() - next; }
};

class PopPools {
 public:
  // The read-ahead of (db, key, version, end), made empty if absent (the least recently used
  // one goes when kPopPools are kept); its entries are not checked: the caller does.
  PopAhead& ahead(uint16_t db, std::string_view key, uint64_t version, bool max);
  // The pool of (db, key, version) if it is still for `inserted`; a stale one is dropped.
  PopPool* find(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted);
  // Replaces the pool of (db, key, version) (or the least recently used one) with `members`.
  PopPool& install(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted,
                   std::vector<std::string> members);
  void clear() {
    pools_.clear();
    aheads_.clear();
  }
  size_t size() const { return pools_.size(); }

 private:
  std::vector<PopPool> pools_;
  std::vector<PopAhead> aheads_;
  uint64_t clock_ = 0;
};

}  // namespace basalt::storage::types
