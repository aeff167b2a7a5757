// node/core/record_table.h — the record cache's table (record_cache.h): a flat hash map from
// a key to one entry, in insertion order. Open addressing with linear probing and
// backward-shift deletion (no tombstones); each slot holds the key's 64-bit hash beside its
// entry's address, and each entry is one allocation holding a small header, the key and the
// value. A lookup reads one slot (more only on a collision, which the stored hash settles
// without touching an entry) and the one entry it finds: the std::unordered_map it replaces
// read a bucket, a node, the key's heap string and then the value. The caller hashes a key
// once (hash()) and passes the hash to every call about that key. Entries leave only from the
// oldest end (pop_oldest) or all at once (clear): the cache evicts in insertion order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace basalt::core {

class RecordTable {
 public:
  // One allocation: this header, then the key's bytes, then the value's (raw_capacity of
  // them, raw_size in use).
  struct Entry {
    uint64_t hash;
    uint64_t seq;  // its place in insertion order
    uint32_t key_size;
    uint32_t raw_size;
    uint32_t raw_capacity;
    bool present;  // the cache's flags (record_cache.h)
    bool dropped;
    std::string_view key() const { return {bytes(), key_size}; }
    std::string_view raw() const { return {bytes() + key_size, raw_size}; }

   private:
    friend class RecordTable;
    const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
    char* bytes() { return reinterpret_cast<char*>(this + 1); }
  };

  // Eight bytes at a time, multiplied and folded: about a third of std::hash's instructions
  // on keys of a few dozen bytes. The table's slot comes from the top bits (the best mixed).
  static uint64_t hash(std::string_view s) {
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
    return h ^ (h >> 29);
  }

  RecordTable() = default;
  ~RecordTable() { clear(); }
  RecordTable(const RecordTable&) = delete;
  RecordTable& operator=(const RecordTable&) = delete;

  // The entry of `key` (whose hash is `hash`), or null.
  Entry* find(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    for (size_t i = hash >> shift_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.entry == nullptr) return nullptr;
      if (s.hash == hash && s.entry->key() == key) return s.entry;
    }
  }
  // Hints for a run of lookups whose hashes are known ahead (the write group's publish):
  // the key's home slot into the CPU cache, and (once that slot is there) its entry.
  void prefetch_slot(uint64_t hash) const {
    if (size_ != 0) __builtin_prefetch(&slots_[hash >> shift_]);
  }
  void prefetch_entry(uint64_t hash) const {
    if (size_ == 0) return;
    const Slot& s = slots_[hash >> shift_];
    if (s.entry != nullptr && s.hash == hash) __builtin_prefetch(s.entry);
  }
  // The entry of `key`, and true if it was inserted now (as the newest, with `raw`); an
  // entry already there is returned as it is.
  std::pair<Entry*, bool> try_emplace(std::string_view key, uint64_t hash, std::string_view raw,
                                      bool present);
  // Gives `e` (of this table) the value `raw`; returns the entry, which may have moved.
  Entry* assign(Entry* e, std::string_view raw);
  // Frees the value's bytes (a dropped entry keeps only its key); returns the entry.
  Entry* release_raw(Entry* e);

  // The oldest entry (null when empty), and its removal.
  Entry* oldest() const { return size_ ? order_[head_ & order_mask_] : nullptr; }
  void pop_oldest();

  void clear();
  size_t size() const { return size_; }
  size_t capacity() const { return slots_ ? mask_ + 1 : 0; }  // slots
  // Slots an unsuccessful lookup of `hash` reads (1 = its home slot is empty): for tests.
  size_t probe_length(uint64_t hash) const;

 private:
  struct Slot {
    uint64_t hash;
    Entry* entry;  // null: empty
  };
  static Entry* allocate(std::string_view key, uint64_t hash, std::string_view raw,
                         size_t raw_capacity);
  static void free_entry(Entry* e) { ::operator delete(e); }
  // The slot holding `e` (which must be in the table).
  size_t slot_of(const Entry* e) const;
  // Moves `e`'s data into a new allocation with room for `raw`, keeping its place.
  Entry* reallocate(Entry* e, std::string_view raw, size_t raw_capacity);
  void grow_slots();
  void grow_order();
  void erase_slot(size_t i);

  std::unique_ptr<Slot[]> slots_;
  size_t mask_ = 0;      // slots - 1
  unsigned shift_ = 64;  // 64 - log2(slots): the home slot is hash >> shift_
  size_t size_ = 0;
  // Insertion order: a ring of entries by sequence number, oldest at head_, next at tail_.
  std::unique_ptr<Entry*[]> order_;
  size_t order_mask_ = 0;
  uint64_t head_ = 0, tail_ = 0;
};

}  // namespace basalt::core
