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

namespace {
// The entry of `entries` that `match` finds; else a fresh one (`found` false), in a new slot
// while fewer than kPopPools are kept, else in place of the least recently used.
template <class T, class Match>
T& find_or_make(std::vector<T>& entries, Match match, bool& found) {
  auto it = std::find_if(entries.begin(), entries.end(), match);
  found = it != entries.end();
  if (found) return *it;
  if (entries.size() < kPopPools) return entries.emplace_back();
  it = std::min_element(entries.begin(), entries.end(),
                        [](const T& a, const T& b) { return a.used < b.used; });
  *it = T{};
  return *it;
}
}  // namespace

PopPool& PopPools::install(uint16_t db, std::string_view key, uint64_t version, uint64_t inserted,
                           std::vector<std::string> members) {
  bool found = false;
  PopPool& p = find_or_make(
      pools_, [&](const PopPool& e) { return e.version == version && e.db == db && e.key == key; },
      found);
  p.db = db;
  p.key.assign(key);
  p.version = version;
  p.inserted = inserted;
  p.members = std::move(members);
  p.next = 0;
  p.used = ++clock_;
  p.size_after = 0;
  return p;
}

PopAhead& PopPools::ahead(uint16_t db, std::string_view key, uint64_t version, bool max) {
  bool found = false;
  PopAhead& a = find_or_make(
      aheads_,
      [&](const PopAhead& e) {
        return e.version == version && e.max == max && e.db == db && e.key == key;
      },
      found);
  if (!found) {
    a.db = db;
    a.key.assign(key);
    a.version = version;
    a.max = max;
  }
  a.used = ++clock_;
  return a;
}

}  // namespace basalt::storage::types
