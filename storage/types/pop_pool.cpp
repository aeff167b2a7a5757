// storage/types/pop_pool.cpp — see pop_pool.h.
#include "storage/types/pop_pool.h"

#include <algorithm>
#include <utility>

namespace basalt::storage::types {

PopPool* PopPools::find(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted) {
  for (auto it = pools_.begin(); it != pools_.end(); ++it) {
    if (it->version != version || it->db != db || it->key != key) continue;
    if (it->inserted != inserted || it->exhausted()) {
      pools_.erase(it);
      return nullptr;
    }
    it->used = ++clock_;
    return &*it;
  }
  return nullptr;
}

PopPool& PopPools::install(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted,
                           std::vector<std::string> members) {
  auto it = std::find_if(pools_.begin(), pools_.end(), [&](const PopPool& p) {
    return p.version == version && p.db == db && p.key == key;
  });
  if (it == pools_.end()) {
    if (pools_.size() < kPopPools) {
      pools_.emplace_back();
      it = pools_.end() - 1;
    } else {
      it = std::min_element(pools_.begin(), pools_.end(),
                            [](const PopPool& a, const PopPool& b) { return a.used < b.used; });
    }
  }
  it->db = db;
  it->key.assign(key);
  it->version = version;
  it->inserted = inserted;
  it->members = std::move(members);
  it->next = 0;
  it->used = ++clock_;
  it->size_after = 0;
  return *it;
}

PopAhead& PopPools::ahead(uint16_t db, std::string_view key, uint64_t version, bool max) {
  auto it = std::find_if(aheads_.begin(), aheads_.end(), [&](const PopAhead& a) {
    return a.version == version && a.max == max && a.db == db && a.key == key;
  });
  if (it == aheads_.end()) {
    if (aheads_.size() < kPopPools) {
      aheads_.emplace_back();
      it = aheads_.end() - 1;
    } else {
      it = std::min_element(aheads_.begin(), aheads_.end(),
                            [](const PopAhead& a, const PopAhead& b) { return a.used < b.used; });
      *it = PopAhead{};
    }
    it->db = db;
    it->key.assign(key);
    it->version = version;
    it->max = max;
  }
  it->used = ++clock_;
  return *it;
}

}  // namespace basalt::storage::types
