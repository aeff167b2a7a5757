// storage/types/walk_debt.cpp — see walk_debt.h.
#include "storage/types/walk_debt.h"

#include <algorithm>

namespace basalt::storage::types {

void WalkDebts::charge(uint16_t db, std::string_view key, uint64_t version, uint64_t crossed) {
  if (crossed == 0) return;
  std::lock_guard lock(mutex_);
  auto it = std::find_if(debts_.begin(), debts_.end(), [&](const Debt& d) {
    return d.version == version && d.db == db && d.key == key;
  });
  if (it == debts_.end()) {
    if (debts_.size() < kWalkDebts) {
      it = debts_.emplace(debts_.end());
    } else {
      it = std::min_element(debts_.begin(), debts_.end(),
                            [](const Debt& a, const Debt& b) { return a.used < b.used; });
    }
    it->db = db;
    it->key.assign(key);
    it->version = version;
    it->crossed = 0;
  }
  it->crossed += crossed;
  it->used = ++clock_;
  count_.store(debts_.size(), std::memory_order_release);
}

uint64_t WalkDebts::owed(uint16_t db, std::string_view key, uint64_t version) const {
  if (count_.load(std::memory_order_acquire) == 0) return 0;
  std::lock_guard lock(mutex_);
  for (const Debt& d : debts_) {
    if (d.version == version && d.db == db && d.key == key) return d.crossed;
  }
  return 0;
}

void WalkDebts::settle(uint16_t db, std::string_view key, uint64_t version) {
  std::lock_guard lock(mutex_);
  ++copies_;
  std::erase_if(debts_,
                [&](const Debt& d) { return d.version == version && d.db == db && d.key == key; });
  count_.store(debts_.size(), std::memory_order_release);
}

void WalkDebts::clear() {
  std::lock_guard lock(mutex_);
  debts_.clear();
  count_.store(0, std::memory_order_release);
}

size_t WalkDebts::size() const {
  std::lock_guard lock(mutex_);
  return debts_.size();
}

uint64_t WalkDebts::copies() const {
  std::lock_guard lock(mutex_);
  return copies_;
}

uint64_t estimated_crossing(uint64_t visited, uint64_t size, uint64_t dead) {
  if (dead == 0 || visited == 0) return 0;
  if (size == 0 || visited >= size) return dead;
  return static_cast<uint64_t>(static_cast<unsigned __int128>(visited) * dead / size);
}

}  // namespace basalt::storage::types
