// storage/types/collection.cpp — see collection.h.
#include "storage/types/collection.h"

#include <algorithm>
#include <random>
#include <unordered_set>

#include "storage/types/pop_pool.h"
#include "storage/types/seek_sampler.h"
#include "storage/types/walk_debt.h"

namespace basalt::storage::types {

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

uint64_t uniform_below(uint64_t n) {  // n > 0
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng());
}

std::string_view strip(const rocksdb::Slice& key, size_t prefix) {
  return {key.data() + prefix, key.size() - prefix};
}

// Collects the elements at `positions` (sorted, distinct) in one pass.
std::vector<Element> elements_at(const Collection& col, const std::vector<uint64_t>& positions,
                                 std::string_view part_prefix) {
  std::vector<Element> out;
  out.reserve(positions.size());
  size_t next = 0;
  uint64_t index = 0;
  col.for_each(
      [&](std::string_view part, std::string_view value) {
        if (index++ == positions[next]) {
          out.emplace_back(part, value);
          if (++next == positions.size()) return false;
        }
        return true;
      },
      part_prefix);
  return out;
}

// `count` picks by seeks (distinct if `unique`); false (out untouched) if the sampler cannot
// serve, or distinct picks keep repeating.
bool seek_picks(const Collection& col, std::string_view part_prefix, uint64_t count, bool unique,
                std::vector<Element>& out) {
  SeekSampler sampler(col.keys(), col.db(), col.key(), col.meta.version, part_prefix);
  std::vector<Element> picked;
  picked.reserve(count);
  std::unordered_set<std::string> seen;
  Element e;
  uint64_t attempts = 0;
  for (; picked.size() < count; ++attempts) {
    if (attempts >= 4 * count + 64 || !sampler.pick(e)) {
      col.note_walk(attempts);
      return false;
    }
    if (unique && !seen.insert(e.first).second) continue;
    picked.push_back(e);
  }
  col.note_walk(attempts);  // each seek lands among the tombstones as a walk step would
  out = std::move(picked);
  return true;
}

// `count` (< size) distinct elements, each subset equally likely, in random order: Floyd's
// sampling of positions, then one pass.
std::vector<Element> floyd_picks(const Collection& col, uint64_t count,
                                 std::string_view part_prefix) {
  const uint64_t size = col.meta.size;
  std::unordered_set<uint64_t> chosen;
  chosen.reserve(count);
  for (uint64_t j = size - count; j < size; ++j) {
    uint64_t t = uniform_below(j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  std::vector<uint64_t> positions(chosen.begin(), chosen.end());
  std::sort(positions.begin(), positions.end());
  std::vector<Element> out = elements_at(col, positions, part_prefix);
  std::shuffle(out.begin(), out.end(), rng());
  return out;
}

// How many members a pop pool of this collection draws: all of them up to kPopPoolMembers,
// fewer when their names are long (about kPopPoolBytes in all).
uint64_t pool_members(const CollectionMeta& meta) {
  uint64_t average = meta.bytes / std::max<uint64_t>(meta.size, 1);
  uint64_t by_bytes = kPopPoolBytes / std::max<uint64_t>(average, 1);
  return std::min({meta.size, kPopPoolMembers, std::max<uint64_t>(by_bytes, 16)});
}

}  // namespace

uint64_t for_each_element(KeyAccess& ks, uint16_t db, std::string_view key, uint64_t version,
                          const ElementFn& f, std::string_view part_prefix) {
  std::string prefix;
  auto it = ks.sub_iterate(db, key, version, prefix);
  prefix.append(part_prefix);
  uint64_t visited = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ++visited;
    if (!f(strip(it->key(), prefix.size()),
           std::string_view(it->value().data(), it->value().size())))
      break;
  }
  return visited;
}

Status Collection::open(ValueType type, Access access) {
  look_up(access);
  return check(type);
}

void Collection::look_up(Access access) {
  ks_->open_key(db_, key_, access, lookup);
}

Status Collection::check(ValueType type) {
  meta = CollectionMeta{};
  if (!lookup.live) return Status::Ok;
  if (lookup.record.type != type) return Status::WrongType;
  if (!CollectionMeta::decode(lookup.record.payload, meta)) return Status::Corrupt;
  return Status::Ok;
}

void Collection::ensure_version() {
  if (exists()) return;
  meta = CollectionMeta{};
  meta.version = ks_->new_version();
}

void Collection::save(ValueType type) {
  if (meta.size == 0) {
    ks_->remove(db_, key_, lookup);
    return;
  }
  if (type != ValueType::List && meta.dead >= kRebuildMinimumDead &&
      meta.size <= kRebuildMaximumSize) {
    WalkDebts* debts = ks_->walk_debts();
    if (debts && debts->owed(db_, key_, meta.version) >= kRebuildDebtPerLive * meta.size)
      rebuild_elements();
  }
  static thread_local std::string payload;  // (its capacity kept: no allocation per save)
  meta.encode_to(payload);
  ks_->put(db_, key_, type, expire_at_ms(), payload, lookup);
}

void Collection::rebuild_elements() {
  std::vector<Element> all;  // read whole before writing: no write while iterating
  for_each([&](std::string_view part, std::string_view value) {
    all.emplace_back(part, value);
    return true;
  });
  if (WalkDebts* debts = ks_->walk_debts()) debts->settle(db_, key_, meta.version);
  uint64_t fresh = ks_->new_version();
  for (const auto& [part, value] : all) ks_->sub_put(db_, key_, fresh, part, value);
  meta.version = fresh;
  meta.dead = 0;
  meta.head = meta.tail = 0;  // (a sorted set's hidden tombstones; never a list here)
}

void Collection::remove_key() {
  ks_->remove(db_, key_, lookup);
}

void Collection::for_each(const ElementFn& f, std::string_view part_prefix) const {
  note_walk(for_each_element(*ks_, db_, key_, meta.version, f, part_prefix));
}

void Collection::note_walk(uint64_t visited, uint64_t dead) const {
  if (dead == 0) return;
  if (WalkDebts* debts = ks_->walk_debts())
    debts->charge(db_, key_, meta.version, estimated_crossing(visited, meta.size, dead));
}

std::vector<Element> Collection::random(uint64_t count, bool unique,
                                        std::string_view part_prefix) const {
  std::vector<Element> out;
  const uint64_t size = meta.size;
  if (size == 0 || count == 0) return out;
  if (unique && count >= size) {
    out.reserve(size);
    for_each(
        [&](std::string_view part, std::string_view value) {
          out.emplace_back(part, value);
          return true;
        },
        part_prefix);
    return out;
  }
  if (size >= kSeekPickMinimum && count <= size / kSeekPickShare &&
      seek_picks(*this, part_prefix, count, unique, out))
    return out;
  if (unique) return floyd_picks(*this, count, part_prefix);
  count = std::min(count, kMaxRandomPicks);
  // Draws with repeats. Few draws from a big collection: fetch just the drawn positions;
  // otherwise read the whole (comparatively small) collection once.
  std::vector<Element> pool;
  std::vector<uint64_t> draws;
  if (count < size / 2) {
    draws.reserve(count);
    for (uint64_t i = 0; i < count; ++i) draws.push_back(uniform_below(size));
    std::vector<uint64_t> positions = draws;
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    pool = elements_at(*this, positions, part_prefix);
    if (pool.size() != positions.size()) return out;  // metadata and elements disagree
    out.reserve(count);
    for (uint64_t d : draws) {
      auto at = std::lower_bound(positions.begin(), positions.end(), d) - positions.begin();
      out.push_back(pool[static_cast<size_t>(at)]);
    }
    return out;
  }
  pool = random(size, true, part_prefix);
  if (pool.empty()) return out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out.push_back(pool[uniform_below(pool.size())]);
  return out;
}

std::vector<Element> Collection::random_to_remove(uint64_t count) const {
  PopPools* pools = ks_->pop_pools();
  const uint64_t size = meta.size;
  // A pool is drawn by a walk of the whole set, on the event loop: not for huge sets.
  if (pools == nullptr || count >= size || size > kPopPoolMaxSet) return random(count, true);
  // Each addition to a version adds one to size + dead; a removal leaves the sum as it was.
  const uint64_t inserted = size + meta.dead;
  PopPool* pool = pools->find(db_, key_, meta.version, inserted);
  // A pool is drawn for a large set, and used until the set is empty (the walk of small sets
  // would cross the tombstones of every earlier pop).
  if (pool == nullptr && size < kSeekPickMinimum) return random(count, true);
  std::vector<Element> out;
  out.reserve(count);
  std::unordered_set<std::string> taken;  // this command's picks, when a pool is drawn again
  std::string value;
  // Candidates are members for sure while nothing but the pool's own pops removed any: the
  // set's size is what they left, or the pool was just drawn from the set as it is.
  bool sure = pool != nullptr && pool->size_after == size;
  bool drawn_here = false;
  size_t picked_at_draw = 0;
  while (out.size() < count) {
    if (pool == nullptr || pool->exhausted()) {
      // The elements this command has not taken yet, in a uniform random order. A pool drawn
      // here that gave nothing means the metadata and the elements disagree: pick as random().
      if (drawn_here && out.size() == picked_at_draw) return random(count, true);
      drawn_here = true;
      picked_at_draw = out.size();
      uint64_t want = std::min(size, pool_members(meta) + out.size());
      std::vector<Element> drawn = want >= size ? random(size, true) : floyd_picks(*this, want, {});
      if (want >= size) std::shuffle(drawn.begin(), drawn.end(), rng());
      std::vector<std::string> members;
      members.reserve(drawn.size());
      for (auto& e : drawn) {
        if (!taken.count(e.first)) members.push_back(std::move(e.first));
      }
      pool = &pools->install(db_, key_, meta.version, inserted, std::move(members));
      if (pool->exhausted()) return random(count, true);
      sure = true;
    }
    std::string& member = pool->members[pool->next++];
    // Removed since the pool was drawn (SREM, SMOVE): not a candidate any more.
    if (sure)
      value.clear();  // (a set member's value is empty)
    else if (!ks_->sub_get(db_, key_, meta.version, member, value))
      continue;
    if (count > 1) taken.insert(member);
    out.emplace_back(std::move(member), value);
  }
  pool->size_after = size - out.size();  // the caller removes every pick (SPOP)
  return out;
}

ScanPage Collection::scan(std::string_view part_prefix, std::string_view after, bool resume,
                          int64_t count,
                          const std::function<void(std::string_view, std::string_view)>& f) const {
  std::string prefix;
  auto it = ks_->sub_iterate(db_, key_, meta.version, prefix);
  prefix.append(part_prefix);
  std::string start = prefix;
  start.append(after);
  it->Seek(start);
  if (resume && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();
  ScanPage page;
  int64_t visited = 0;
  for (; it->Valid() && it->key().starts_with(prefix) && visited < count; it->Next()) {
    ++visited;
    std::string_view part = strip(it->key(), prefix.size());
    page.last.assign(part);
    f(part, std::string_view(it->value().data(), it->value().size()));
  }
  page.more = it->Valid() && it->key().starts_with(prefix);
  note_walk(static_cast<uint64_t>(visited));
  return page;
}

}  // namespace basalt::storage::types
