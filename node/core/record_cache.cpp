// node/core/record_cache.cpp — see record_cache.h.
#include "node/core/record_cache.h"

namespace basalt::core {

RecordCache::Hit RecordCache::find(std::string_view key, std::string& raw) {
  if (budget_ == 0) return Hit::Miss;
  auto it = map_.find(key);
  if (it == map_.end() || it->second.dropped) {
    ++misses_;
    return Hit::Miss;
  }
  ++hits_;
  if (!it->second.present) return Hit::Absent;
  raw.assign(it->second.raw);
  return Hit::Present;
}

bool RecordCache::contains(std::string_view key) const {
  if (budget_ == 0) return false;
  auto it = map_.find(key);
  return it != map_.end() && !it->second.dropped;
}

void RecordCache::put_present(std::string_view key, std::string_view raw) {
  put(key, raw, true);
}

void RecordCache::put_absent(std::string_view key) {
  put(key, {}, false);
}

void RecordCache::put(std::string_view key, std::string_view raw, bool present) {
  if (budget_ == 0) return;
  if (raw.size() > kMaxValueBytes) {
    // Too large to keep: forget the key's older state instead.
    auto it = map_.find(key);
    if (it != map_.end() && !it->second.dropped) {
      bytes_ -= it->second.raw.size();
      std::string().swap(it->second.raw);
      it->second.dropped = true;
    }
    return;
  }
  // Inserted without a lookup first (one hash, not two): most callers have just missed it.
  auto [it, inserted] = map_.try_emplace(std::string(key), Entry{std::string(raw), present});
  if (inserted) {
    order_.push_back(&it->first);
    bytes_ += entry_cost(key.size(), raw.size()) + slot_cost(key.size());
  } else {
    bytes_ = bytes_ - it->second.raw.size() + raw.size();
    it->second.raw.assign(raw);
    it->second.present = present;
    it->second.dropped = false;
  }
  evict();
}

void RecordCache::update_if_cached(std::string_view key, std::string_view raw, bool present) {
  if (budget_ == 0) return;
  auto it = map_.find(key);
  if (it == map_.end() || it->second.dropped) return;
  if (raw.size() > kMaxValueBytes) return put(key, raw, present);
  bytes_ = bytes_ - it->second.raw.size() + raw.size();
  it->second.raw.assign(raw);
  it->second.present = present;
  evict();
}

void RecordCache::put_if_room(std::string_view key, std::string_view raw, bool present) {
  // The room check first: with a full cache (a bulk load) a write costs no lookup here.
  if (budget_ == 0 || raw.size() > kMaxValueBytes) return;
  size_t cost = entry_cost(key.size(), raw.size()) + slot_cost(key.size());
  if (bytes_ + cost > budget_) return;
  // Inserted without a lookup first: the caller has just missed the key here. Within the
  // budget, so nothing is evicted; a key already cached (or dropped) is left as it is.
  auto [it, inserted] = map_.try_emplace(std::string(key), Entry{std::string(raw), present});
  if (!inserted) return;
  order_.push_back(&it->first);
  bytes_ += cost;
}

void RecordCache::evict() {
  while (bytes_ > budget_ && !order_.empty()) {
    // (Always found: an entry leaves the map only here or in clear().)
    auto it = map_.find(*order_.front());
    order_.pop_front();
    if (it == map_.end()) continue;
    bytes_ -= entry_cost(it->first.size(), it->second.raw.size()) + slot_cost(it->first.size());
    map_.erase(it);
  }
}

void RecordCache::clear() {
  order_.clear();
  map_.clear();
  bytes_ = 0;
}

void RecordCache::set_budget(size_t bytes) {
  budget_ = bytes;
  if (budget_ == 0) clear();
  evict();
}

}  // namespace basalt::core
