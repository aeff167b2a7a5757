// node/core/record_cache.h — an in-memory cache of committed top-level records of the data
// column family (a string's value, a collection's metadata), by encoded data key: a point
// lookup that hits it skips RocksDB's memtable and table search, the bulk of a GET's or a
// SET's CPU. It holds committed state only: the write pipeline publishes a group's final
// records after the group is written (for keys it holds), a read that misses fills it from
// the database, and a write's own lookup fills it only while it has room, so a bulk load
// does not churn it. A key may be cached as absent. Bounded by a byte budget, evicting in
// insertion order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::core {

class RecordCache {
 public:
  enum class Hit { Miss, Present, Absent };

  explicit RecordCache(size_t budget_bytes = 0) : budget_(budget_bytes) {}

  // A cached record: Present (raw filled), Absent (known not to exist) or Miss.
  Hit find(std::string_view key, std::string& raw);
  // Records the committed state of `key`: its raw record, or absent.
  void put_present(std::string_view key, std::string_view raw);
  void put_absent(std::string_view key);
  bool contains(std::string_view key) const { return budget_ > 0 && map_.count(key) > 0; }
  // Inserts only while the budget has room (evicts nothing): what a write learns is kept
  // while it is free to keep, and never pushes out what readers brought in.
  void put_if_room(std::string_view key, std::string_view raw, bool present);
  void clear();
  // 0 turns the cache off (and empties it).
  void set_budget(size_t bytes);
  bool enabled() const { return budget_ > 0; }

  size_t bytes() const { return bytes_; }
  size_t entries() const { return map_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

  // Values larger than this are not cached (they would push out many small ones).
  static constexpr size_t kMaxValueBytes = 64 * 1024;

 private:
  struct Entry {
    std::string raw;
    bool present = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Bytes charged for a map entry and for its slot in the insertion order: the bytes plus
  // an estimate of the hash node, string and allocator overheads.
  static size_t entry_cost(size_t key_size, size_t raw_size) { return key_size + raw_size + 128; }
  static size_t slot_cost(size_t key_size) { return key_size + 48; }
  void put(std::string_view key, std::string_view raw, bool present);
  void evict();

  size_t budget_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
  // Keys in insertion order: one slot per insertion (a slot may outlive its entry).
  std::deque<std::string> order_;
};

}  // namespace basalt::core
