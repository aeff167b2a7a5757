// node/core/record_table.cpp — see record_table.h.
#include "node/core/record_table.h"

#include <new>

namespace basalt::core {

namespace {
constexpr size_t kMinSlots = 16;
constexpr size_t kMinOrder = 16;
// Allocations are rounded up to this (what malloc hands out anyway): the slack becomes
// room for the value to grow in place.
constexpr size_t kAllocationGrain = 16;
}  // namespace

RecordTable::Entry* RecordTable::allocate(std::string_view key, uint64_t hash, std::string_view raw,
                                          size_t raw_capacity) {
  size_t total = sizeof(Entry) + key.size() + raw_capacity;
  total = (total + kAllocationGrain - 1) / kAllocationGrain * kAllocationGrain;
  void* mem = ::operator new(total);
  auto* e = new (mem) Entry{};
  e->hash = hash;
  e->key_size = static_cast<uint32_t>(key.size());
  e->raw_size = static_cast<uint32_t>(raw.size());
  e->raw_capacity = static_cast<uint32_t>(total - sizeof(Entry) - key.size());
  if (!key.empty()) std::memcpy(e->bytes(), key.data(), key.size());
  if (!raw.empty()) std::memcpy(e->bytes() + key.size(), raw.data(), raw.size());
  return e;
}

std::pair<RecordTable::Entry*, bool> RecordTable::try_emplace(std::string_view key, uint64_t hash,
                                                              std::string_view raw, bool present) {
  // At most three quarters full, so every probe ends at an empty slot.
  if ((size_ + 1) * 4 > capacity() * 3) grow_slots();
  size_t i = hash >> shift_;
  for (;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.entry == nullptr) break;
    if (s.hash == hash && s.entry->key() == key) return {s.entry, false};
  }
  if (tail_ - head_ == order_mask_ + 1 || !order_) grow_order();
  Entry* e = allocate(key, hash, raw, raw.size());
  e->present = present;
  e->seq = tail_++;
  order_[e->seq & order_mask_] = e;
  slots_[i] = Slot{hash, e};
  ++size_;
  return {e, true};
}

RecordTable::Entry* RecordTable::assign(Entry* e, std::string_view raw) {
  if (raw.size() > e->raw_capacity) {
    // Some room to grow again (an APPEND, an INCR gaining a digit) without moving.
    e = reallocate(e, raw, raw.size() + raw.size() / 4);
  } else {
    if (!raw.empty()) std::memmove(e->bytes() + e->key_size, raw.data(), raw.size());
    e->raw_size = static_cast<uint32_t>(raw.size());
  }
  return e;
}

RecordTable::Entry* RecordTable::release_raw(Entry* e) {
  if (e->raw_capacity <= kAllocationGrain) {
    e->raw_size = 0;
    return e;
  }
  return reallocate(e, {}, 0);
}

RecordTable::Entry* RecordTable::reallocate(Entry* e, std::string_view raw, size_t raw_capacity) {
  size_t slot = slot_of(e);
  Entry* moved = allocate(e->key(), e->hash, raw, raw_capacity);
  moved->seq = e->seq;
  moved->present = e->present;
  moved->dropped = e->dropped;
  slots_[slot].entry = moved;
  order_[moved->seq & order_mask_] = moved;
  free_entry(e);
  return moved;
}

size_t RecordTable::slot_of(const Entry* e) const {
  size_t i = e->hash >> shift_;
  while (slots_[i].entry != e) i = (i + 1) & mask_;
  return i;
}

void RecordTable::pop_oldest() {
  if (size_ == 0) return;
  Entry* e = order_[head_ & order_mask_];
  order_[head_ & order_mask_] = nullptr;
  ++head_;
  erase_slot(slot_of(e));
  free_entry(e);
  --size_;
}

void RecordTable::erase_slot(size_t i) {
  // Backward shift: each entry after the hole that may move into it (its home slot is not
  // between the hole and where it sits) does, until an empty slot ends the run. Probes then
  // never cross a hole before their key's slot.
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    const Slot& s = slots_[j];
    if (s.entry == nullptr) break;
    size_t home = s.hash >> shift_;
    if (((j - home) & mask_) >= ((j - i) & mask_)) {
      slots_[i] = s;
      i = j;
    }
  }
  slots_[i] = Slot{0, nullptr};
}

void RecordTable::grow_slots() {
  size_t old_capacity = capacity();
  size_t new_capacity = old_capacity ? old_capacity * 2 : kMinSlots;
  std::unique_ptr<Slot[]> old = std::move(slots_);
  slots_ = std::make_unique<Slot[]>(new_capacity);  // value-initialized: all empty
  mask_ = new_capacity - 1;
  shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(new_capacity));
  for (size_t k = 0; k < old_capacity; ++k) {
    if (old[k].entry == nullptr) continue;
    size_t i = old[k].hash >> shift_;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
    slots_[i] = old[k];
  }
}

void RecordTable::grow_order() {
  size_t old_capacity = order_ ? order_mask_ + 1 : 0;
  size_t new_capacity = old_capacity ? old_capacity * 2 : kMinOrder;
  auto grown = std::make_unique<Entry*[]>(new_capacity);
  for (uint64_t seq = head_; seq != tail_; ++seq)
    grown[seq & (new_capacity - 1)] = order_[seq & order_mask_];
  order_ = std::move(grown);
  order_mask_ = new_capacity - 1;
}

void RecordTable::clear() {
  for (uint64_t seq = head_; seq != tail_; ++seq) free_entry(order_[seq & order_mask_]);
  slots_.reset();
  order_.reset();
  mask_ = 0;
  shift_ = 64;
  order_mask_ = 0;
  size_ = 0;
  head_ = tail_ = 0;
}

size_t RecordTable::probe_length(uint64_t hash) const {
  if (!slots_) return 0;
  size_t n = 1;
  for (size_t i = hash >> shift_; slots_[i].entry != nullptr; i = (i + 1) & mask_) ++n;
  return n;
}

}  // namespace basalt::core
