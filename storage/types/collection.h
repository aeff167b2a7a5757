// storage/types/collection.h — what every collection type (hash, set, list, sorted set)
// shares: a handle on one collection key of one db (its lookup and decoded metadata), the
// type check, giving a new key a version, saving the metadata record after its elements
// changed (removing the key once empty, keeping its TTL), walking the elements, a page of a
// cursor scan, and uniform random picks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/collection.h"
#include "storage/types/key_access.h"

namespace basalt::storage::types {

// How opening a key as a given type went; the caller turns the errors into its reply.
enum class Status { Ok, WrongType, Corrupt };

using ElementFn = std::function<bool(std::string_view part, std::string_view value)>;

// Calls f(part, value) for each element of (db, key, version) whose part starts with
// `part_prefix` (the prefix is stripped), in key order, until f returns false; returns how
// many it visited. The batch must not be written while this runs.
uint64_t for_each_element(KeyAccess& ks, uint16_t db, std::string_view key, uint64_t version,
                          const ElementFn& f, std::string_view part_prefix = {});

using Element = std::pair<std::string, std::string>;  // (part, value)

// When save() rebuilds a collection (see there).
inline constexpr uint64_t kRebuildMinimumDead = 256;
inline constexpr uint64_t kRebuildDebtPerLive = 8;
inline constexpr uint64_t kRebuildMaximumSize = 65536;

// Collection::random picks by seeks from collections this large, when it picks at most
// 1/kSeekPickShare of them.
inline constexpr uint64_t kSeekPickMinimum = 128;
inline constexpr uint64_t kSeekPickShare = 8;

// At most this many picks with repeats (a negative count) per command: random() clamps to
// it (commands refuse more before they get here).
inline constexpr uint64_t kMaxRandomPicks = uint64_t{1} << 20;

// One page of a cursor scan (Collection::scan).
struct ScanPage {
  bool more = false;  // elements remain after `last`
  std::string last;   // the part of the last element visited (the next page starts after it)
};

// A collection key of one db as one command holds it: the lookup (for writes: the `old` of
// KeyAccess::put / remove) and its metadata (zeroed when the key is missing).
class Collection {
 public:
  Collection(KeyAccess& ks, uint16_t db, std::string_view key) : ks_(&ks), db_(db), key_(key) {}

  Lookup lookup;
  CollectionMeta meta;

  std::string_view key() const { return key_; }
  uint16_t db() const { return db_; }
  KeyAccess& keys() const { return *ks_; }

  bool exists() const { return lookup.live; }
  // True once it has a version: it exists, or ensure_version() made one for a new key, so
  // its elements (including those this command added) can be read.
  bool has_version() const { return meta.version != 0; }
  uint64_t expire_at_ms() const { return lookup.live ? lookup.record.expire_at_ms : 0; }

  // Looks the key up and checks it holds a `type` collection (a missing key is fine:
  // exists() is false). look_up and check are the two halves, for commands that must look
  // several keys up before checking their types (SMOVE).
  Status open(ValueType type, Access access);
  void look_up(Access access);
  Status check(ValueType type);

  // Gives a missing collection a fresh version, so elements can be added to it.
  void ensure_version();
  // Writes the metadata record after the elements changed: removes the key when it became
  // empty, else stores the metadata keeping the key's TTL. `lookup` is stale afterwards.
  // A hash, set or sorted set with at least kRebuildMinimumDead tombstones, whose walks have
  // crossed kRebuildDebtPerLive times as many tombstones as it has elements (walk_debt.h),
  // is first copied to a fresh version, and the old one (tombstones and all) dropped with one
  // range deletion: walks and seeks cross every tombstone in their way (RocksDB keeps them
  // until compaction), so a hash read whole after many HDELs would cost more per read the
  // more it had shrunk. The copy (a write per element, on one command) is paid only once the
  // walks lost a multiple of it; a collection drained without walks (ZPOPMIN, SPOP's pools)
  // is not copied (a copy per two pops cost ZPOPMIN 40% of its throughput and tens of ms per
  // copy). Bounded: kRebuildMaximumSize elements at most.
  void save(ValueType type);
  // Removes the key with all its elements (SPOP of the whole set).
  void remove_key();

  // for_each_element over this collection's version (its walk charged: note_walk).
  void for_each(const ElementFn& f, std::string_view part_prefix = {}) const;
  // Charges the view's walk debts (walk_debt.h) with the tombstones a walk that visited
  // `visited` elements of this version crossed, by estimate, `dead` of them in its way (all
  // of meta.dead unless the walk knows better).
  void note_walk(uint64_t visited) const { note_walk(visited, meta.dead); }
  void note_walk(uint64_t visited, uint64_t dead) const;

  // Random elements as Redis's random commands pick them, among those whose part starts with
  // `part_prefix` (stripped; meta.size of them): unique: min(count, size) distinct elements (all
  // of them, in key order, when count >= size); otherwise `count` (at most kMaxRandomPicks)
  // independent draws, in draw order. A few picks from a large collection take one seek each
  // (about uniform: seek_sampler.h); otherwise one pass over the elements, exactly uniform:
  // O(size) time, O(min(count, size)) memory.
  std::vector<Element> random(uint64_t count, bool unique, std::string_view part_prefix = {}) const;
  // min(count, size) distinct random elements that the caller removes before the write group
  // goes on (SPOP): when the view keeps pop pools, taken in order from the key's pool
  // (pop_pool.h; drawn by one pass when missing, stale or used up, from kSeekPickMinimum
  // elements up), each an exactly uniform pick among those left; otherwise random().
  std::vector<Element> random_to_remove(uint64_t count) const;

  // Visits up to `count` elements whose part starts with `part_prefix`, starting after the
  // element `after` (or at the first when !resume), calling f(part, value) on each.
  ScanPage scan(std::string_view part_prefix, std::string_view after, bool resume, int64_t count,
                const std::function<void(std::string_view, std::string_view)>& f) const;

 private:
  void rebuild_elements();

  KeyAccess* ks_;
  uint16_t db_;
  std::string_view key_;
};

}  // namespace basalt::storage::types
