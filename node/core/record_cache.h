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
#include <cstring>
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
  bool contains(std::string_view key) const;
  // Records the committed state of `key` only if it is cached (one lookup, not two).
  void update_if_cached(std::string_view key, std::string_view raw, bool present);
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
  // `dropped`: the key's state is not kept (its value grew too large); the entry stays, with
  // its insertion slot, until evicted, and reads as a miss.
  struct Entry {
    std::string raw;
    bool present = false;
    bool dropped = false;
  };
  // Eight bytes at a time, multiplied and folded: about a third of std::hash's instructions
  // on keys of a few dozen bytes, which every cached lookup hashes.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
      const char* p = s.data();
      size_t n = s.size();
      for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
      }
      uint64_t tail = 0;
      if (n > 0 && s.size() >= 8) {
        std::memcpy(&tail, s.data() + s.size() - 8, 8);  // the last 8 bytes, overlapping
      } else {
        for (size_t i = 0; i < n; ++i) tail = (tail << 8) | static_cast<unsigned char>(p[i]);
      }
      h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
      return static_cast<size_t>(h ^ (h >> 29));
    }
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
  // Entries in insertion order, one slot each: the key inside the map's node (nodes never
  // move; an entry leaves the map only through its slot, or with clear()).
  std::deque<const std::string*> order_;
};

}  // namespace basalt::core
