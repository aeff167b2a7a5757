// node/core/record_cache.h — an in-memory cache of committed top-level records of the data
// column family (a string's value, a collection's metadata), by encoded data key: a point
// lookup that hits it skips RocksDB's memtable and table search, the bulk of a GET's or a
// SET's CPU. It holds committed state only: the write pipeline publishes a group's final
// records after the group is written (for keys it holds), a read that misses fills it from
// the database, and a write's own lookup fills it only while it has room, so a bulk load
// does not churn it. A key may be cached as absent. Bounded by a byte budget, evicting in
// insertion order. The table itself (a flat hash map, one allocation per entry) is
// record_table.h; a caller that looks a key up and then fills it hashes it once (hash()) and
// passes the hash to both calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "node/core/record_table.h"

namespace basalt::core {

class RecordCache {
 public:
  enum class Hit { Miss, Present, Absent };

  explicit RecordCache(size_t budget_bytes = 0) : budget_(budget_bytes) {}

  static uint64_t hash(std::string_view key) { return RecordTable::hash(key); }

  // A cached record: Present (raw filled), Absent (known not to exist) or Miss.
  Hit find(std::string_view key, uint64_t hash, std::string& raw);
  Hit find(std::string_view key, std::string& raw) { return find(key, hash(key), raw); }
  // Records the committed state of `key`: its raw record, or absent.
  void put_present(std::string_view key, std::string_view raw) { put(key, hash(key), raw, true); }
  void put_absent(std::string_view key) { put(key, hash(key), {}, false); }
  // False if the state could not be kept (too large): the key then reads as a miss.
  bool put(std::string_view key, uint64_t hash, std::string_view raw, bool present);
  bool contains(std::string_view key) const;
  // A cached present record, without copying it or counting a hit or miss (valid until the
  // cache changes); false if it is not cached as present.
  bool peek(std::string_view key, uint64_t hash, std::string_view& raw) const;
  // Records the committed state of `key` only if it is cached (one lookup, not two).
  void update_if_cached(std::string_view key, uint64_t hash, std::string_view raw, bool present);
  void update_if_cached(std::string_view key, std::string_view raw, bool present) {
    update_if_cached(key, hash(key), raw, present);
  }
  // A run of update_if_cached calls whose hashes are known ahead: each hint fetches what the
  // call for `hash` will read (first the slot, a few calls later the entry it points to), so
  // that the calls do not wait for memory one after the other.
  void prefetch_slot(uint64_t hash) const { table_.prefetch_slot(hash); }
  void prefetch_entry(uint64_t hash) const { table_.prefetch_entry(hash); }
  // Inserts only while the budget has room (evicts nothing): what a write learns is kept
  // while it is free to keep, and never pushes out what readers brought in.
  void put_if_room(std::string_view key, uint64_t hash, std::string_view raw, bool present);
  void put_if_room(std::string_view key, std::string_view raw, bool present) {
    put_if_room(key, hash(key), raw, present);
  }
  void clear();
  // 0 turns the cache off (and empties it).
  void set_budget(size_t bytes);
  bool enabled() const { return budget_ > 0; }
  // Told the key of every entry that leaves the cache or stops being readable (evicted, or
  // dropped as too large), not of those a clear() empties: the element cache's complete
  // collections (element_cache.h) end with any of their elements.
  using ForgetHook = void (*)(void* context, std::string_view key);
  void set_forget_hook(ForgetHook hook, void* context) {
    forget_hook_ = hook;
    forget_context_ = context;
  }

  size_t bytes() const { return bytes_; }
  size_t entries() const { return table_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

  // Values larger than this are not cached (they would push out many small ones).
  static constexpr size_t kMaxValueBytes = 64 * 1024;

 private:
  // Bytes charged for an entry (the budget's unit; unchanged from the node-based map this
  // table replaced, whose nodes, strings and insertion-order slots it estimated, so that a
  // budget holds the same entries as before; the flat table uses less than this).
  static size_t cost(size_t key_size, size_t raw_size) { return 2 * key_size + raw_size + 176; }
  // Drops the key's state: an entry whose value grew too large stays, with its place in
  // the insertion order, until evicted, and reads as a miss.
  void drop(RecordTable::Entry* e);
  // Evicts the oldest entries until the budget holds; true if `watched` was among them.
  bool evict(const RecordTable::Entry* watched = nullptr);

  size_t budget_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
  RecordTable table_;
  ForgetHook forget_hook_ = nullptr;
  void* forget_context_ = nullptr;
};

}  // namespace basalt::core
