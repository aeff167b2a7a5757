// node/core/record_cache.cpp — see record_cache.h.
#include "node/core/record_cache.h"

namespace basalt::core {

RecordCache::Hit RecordCache::find(std::string_view key, uint64_t hash, std::string& raw) {
  if (budget_ == 0) return Hit::Miss;
  const RecordTable::Entry* e = table_.find(key, hash);
  if (e == nullptr || e->dropped) {
    ++misses_;
    return Hit::Miss;
  }
  ++hits_;
  if (!e->present) return Hit::Absent;
  raw.assign(e->raw());
  return Hit::Present;
}

bool RecordCache::peek(std::string_view key, uint64_t hash, std::string_view& raw) const {
  if (budget_ == 0) return false;
  const RecordTable::Entry* e = table_.find(key, hash);
  if (e == nullptr || e->dropped || !e->present) return false;
  raw = e->raw();
  return true;
}

bool RecordCache::contains(std::string_view key) const {
  if (budget_ == 0) return false;
  const RecordTable::Entry* e = table_.find(key, hash(key));
  return e != nullptr && !e->dropped;
}

void RecordCache::drop(RecordTable::Entry* e) {
  if (e->dropped) return;
  if (forget_hook_) forget_hook_(forget_context_, e->key());
  bytes_ -= e->raw_size;
  e = table_.release_raw(e);
  e->dropped = true;
}

bool RecordCache::put(std::string_view key, uint64_t hash, std::string_view raw, bool present) {
  if (budget_ == 0) return false;
  if (raw.size() > kMaxValueBytes) {
    // Too large to keep: forget the key's older state instead.
    if (RecordTable::Entry* e = table_.find(key, hash)) drop(e);
    return false;
  }
  // Inserted without a lookup first (one probe, not two): most callers have just missed it.
  auto [e, inserted] = table_.try_emplace(key, hash, raw, present);
  if (inserted) {
    bytes_ += cost(key.size(), raw.size());
  } else {
    bytes_ = bytes_ - e->raw_size + raw.size();
    e = table_.assign(e, raw);
    e->present = present;
    e->dropped = false;
  }
  // (An entry the budget cannot hold beside the newer ones is evicted at once.)
  return !evict(e);
}

void RecordCache::update_if_cached(std::string_view key, uint64_t hash, std::string_view raw,
                                   bool present) {
  if (budget_ == 0) return;
  RecordTable::Entry* e = table_.find(key, hash);
  if (e == nullptr || e->dropped) return;
  if (raw.size() > kMaxValueBytes) return drop(e);
  bytes_ = bytes_ - e->raw_size + raw.size();
  e = table_.assign(e, raw);
  e->present = present;
  evict();
}

void RecordCache::put_if_room(std::string_view key, uint64_t hash, std::string_view raw,
                              bool present) {
  // The room check first: with a full cache (a bulk load) a write costs no lookup here.
  if (budget_ == 0 || raw.size() > kMaxValueBytes) return;
  size_t c = cost(key.size(), raw.size());
  if (bytes_ + c > budget_) return;
  // Within the budget, so nothing is evicted; a key already cached (or dropped) is left as
  // it is.
  auto [e, inserted] = table_.try_emplace(key, hash, raw, present);
  if (inserted) bytes_ += c;
}

bool RecordCache::evict(const RecordTable::Entry* watched) {
  bool evicted_watched = false;
  while (bytes_ > budget_) {
    const RecordTable::Entry* e = table_.oldest();
    if (e == nullptr) break;
    if (e == watched) evicted_watched = true;
    if (forget_hook_ && !e->dropped) forget_hook_(forget_context_, e->key());
    bytes_ -= cost(e->key_size, e->raw_size);
    table_.pop_oldest();
  }
  return evicted_watched;
}

void RecordCache::clear() {
  table_.clear();
  bytes_ = 0;
}

void RecordCache::set_budget(size_t bytes) {
  budget_ = bytes;
  if (budget_ == 0) clear();
  evict();
}

}  // namespace basalt::core
