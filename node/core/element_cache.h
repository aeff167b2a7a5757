// node/core/element_cache.h — the element cache: committed collection elements (fields,
// members, list chunks; the sub column family) by encoded element key, present or absent, in
// a RecordCache (record_cache.h), and the collections it holds completely. A collection
// version created on this node (in a write group on the loop) starts complete: every element
// it has was written by the groups since, and each committed group stores its written
// elements of complete versions here (not only those already cached). While a version is
// complete, an element of it the cache does not hold does not exist: a lookup answers
// "absent" without RocksDB (what an SADD or HSET of a new member costs otherwise). A version
// stops being complete when any of its elements leaves the cache (evicted, or too large to
// keep), when it dies (the collection deleted or replaced), and when the cache is emptied.
// A stale "absent" would lose data silently, so every way an element can leave is a way the
// version stops being complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "node/core/record_cache.h"

namespace basalt::core {

class ElementCache {
 public:
  using Hit = RecordCache::Hit;

  explicit ElementCache(size_t budget_bytes = 0);
  // The forget hook points at this object: it stays where it was built.
  ElementCache(const ElementCache&) = delete;
  ElementCache& operator=(const ElementCache&) = delete;

  static uint64_t hash(std::string_view key) { return RecordCache::hash(key); }

  // A cached element: Present (value filled), Absent (cached as absent, or not cached and its
  // version complete) or Miss (ask the database).
  Hit find(std::string_view key, uint64_t hash, std::string& value);
  Hit find(std::string_view key, std::string& value) { return find(key, hash(key), value); }
  // What a lookup read from the database (a version never complete, or it would not have).
  void put(std::string_view key, uint64_t hash, std::string_view value, bool present) {
    cache_.put(key, hash, value, present);
  }
  // A cached present element, without copying it or counting a hit (record_cache.h).
  bool peek(std::string_view key, uint64_t hash, std::string_view& value) const {
    return cache_.peek(key, hash, value);
  }

  // Hints ahead of a group's lookups (record_cache.h).
  void prefetch_slot(uint64_t hash) const { cache_.prefetch_slot(hash); }
  void prefetch_entry(uint64_t hash) const { cache_.prefetch_entry(hash); }

  // A committed group's effects, in this order: the versions it ended (drop()), the versions
  // it created (created(), `prefix`: the encoded (db, key, version) prefix), then its
  // element writes, each once (store_written()).
  void drop(std::string_view prefix);
  void created(std::string_view prefix);
  // Stores an element's committed state: always for a complete version, else only if cached.
  // Writes arrive grouped by prefix (a group's writes in key order): the completeness of the
  // last prefix is remembered.
  void store_written(std::string_view key, uint64_t hash, std::string_view value, bool present);
  void store_written(std::string_view key, std::string_view value, bool present) {
    store_written(key, hash(key), value, present);
  }

  void clear();
  // 0 turns the cache off (and empties it).
  void set_budget(size_t bytes);
  bool enabled() const { return cache_.enabled(); }

  bool complete(std::string_view prefix) const;
  size_t complete_collections() const { return complete_.size(); }
  size_t bytes() const { return cache_.bytes(); }
  size_t entries() const { return cache_.entries(); }
  // Lookups answered (cached present or absent, or absent from a complete version).
  uint64_t hits() const { return cache_.hits() + complete_hits_; }
  uint64_t misses() const { return cache_.misses() - complete_hits_; }
  // The hits answered "absent" only because the version was complete.
  uint64_t complete_hits() const { return complete_hits_; }

 private:
  struct PrefixHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return RecordCache::hash(s); }
  };
  static void on_forget(void* self, std::string_view key);
  void forget_version_of(std::string_view element_key);

  RecordCache cache_;
  std::unordered_set<std::string, PrefixHash, std::equal_to<>> complete_;
  uint64_t complete_hits_ = 0;
  // store_written's last prefix and whether it was complete, valid while no version has been
  // added to or taken from complete_ since (changes counts those).
  std::string last_prefix_;
  bool last_complete_ = false;
  uint64_t last_changes_ = UINT64_MAX;
  uint64_t changes_ = 0;
};

}  // namespace basalt::core
