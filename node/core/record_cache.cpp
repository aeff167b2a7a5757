// node/core/record_cache.cpp — see record_cache.h.
#include "node/core/record_cache.h"

namespace basalt::core {

RecordCache::Hit RecordCache::find(std::string_view key, std::string& raw) {
  if (budget_ == 0) return Hit::Miss;
  auto it = map_.find(key);
  if (it == map_.end()) {
    ++misses_;
    return Hit::Miss;
  }
  ++hits_;
  if (!it->second.present) return Hit::Absent;
  raw.assign(it->second.raw);
  return Hit::Present;
}

void RecordCache::put_present(std::string_view key, std::string_view raw) {
  put(key, raw, true);
}

void RecordCache::put_absent(std::string_view key) {
  put(key, {}, false);
}

void RecordCache::put(std::string_view key, std::string_view raw, bool present) {
  if (budget_ == 0) return;
  auto it = map_.find(key);
  if (raw.size() > kMaxValueBytes) {
    // Too large to keep: forget the key's older state instead (its slot stays until evicted).
    if (it != map_.end()) {
      bytes_ -= entry_cost(it->first.size(), it->second.raw.size());
      map_.erase(it);
    }
    return;
  }
  if (it != map_.end()) {
    bytes_ = bytes_ - it->second.raw.size() + raw.size();
    it->second.raw.assign(raw);
    it->second.present = present;
  } else {
    map_.emplace(std::string(key), Entry{std::string(raw), present});
    order_.emplace_back(key);
    bytes_ += entry_cost(key.size(), raw.size()) + slot_cost(key.size());
  }
  evict();
}

void RecordCache::put_if_room(std::string_view key, std::string_view raw, bool present) {
  // The room check first: with a full cache (a bulk load) a write costs no lookup here.
  if (budget_ == 0 || raw.size() > kMaxValueBytes) return;
  size_t cost = entry_cost(key.size(), raw.size()) + slot_cost(key.size());
  if (bytes_ + cost > budget_) return;
  // Inserted without a lookup first (one hash, not three): the caller has just missed the
  // key here. Within the budget, so nothing is evicted.
  auto [it, inserted] = map_.try_emplace(std::string(key), Entry{std::string(raw), present});
  if (!inserted) return;
  order_.emplace_back(key);
  bytes_ += cost;
}

void RecordCache::evict() {
  while (bytes_ > budget_ && !order_.empty()) {
    const std::string& key = order_.front();
    auto it = map_.find(key);
    if (it != map_.end()) {
      bytes_ -= entry_cost(it->first.size(), it->second.raw.size());
      map_.erase(it);
    }
    bytes_ -= slot_cost(key.size());
    order_.pop_front();
  }
}

void RecordCache::clear() {
  map_.clear();
  order_.clear();
  bytes_ = 0;
}

void RecordCache::set_budget(size_t bytes) {
  budget_ = bytes;
  if (budget_ == 0) clear();
  evict();
}

}  // namespace basalt::core
