// tests/unit/memory_keys.h — an in-memory storage::types::KeyAccess for the type store tests:
// records and element sub-keys in std::maps (with the real sub-key layout), no expiry, no
// batch. It shows the stores need nothing of the node beyond that interface.
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/types/key_access.h"
#include "storage/types/pop_pool.h"
#include "storage/types/walk_debt.h"

namespace basalt::unit {

// The value MemoryKeys keeps in place of a deleted element when it keeps tombstones.
inline const std::string kTombstone("\0tombstone\0", 11);

// A rocksdb::Iterator over a std::map (a snapshot: the map must outlive it, unchanged). As on
// RocksDB, positioning skips tombstones: each one crossed, and each Next/Prev, adds one to
// `*steps`. Keys outside [lower, upper) (an empty bound is none) are not there, as with
// RocksDB's iterate bounds.
class MapIterator : public rocksdb::Iterator {
 public:
  explicit MapIterator(const std::map<std::string, std::string>& m, uint64_t* steps = nullptr,
                       std::string lower = {}, std::string upper = {})
      : m_(m),
        it_(m.end()),
        steps_(steps ? steps : &own_steps_),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {}
  bool Valid() const override { return it_ != m_.end(); }
  void SeekToFirst() override {
    it_ = lower_.empty() ? m_.begin() : m_.lower_bound(lower_);
    skip_forward();
  }
  void SeekToLast() override {
    it_ = upper_.empty() ? m_.end() : m_.lower_bound(upper_);
    it_ = it_ == m_.begin() ? m_.end() : std::prev(it_);
    skip_backward();
  }
  void Seek(const rocksdb::Slice& target) override {
    std::string t = target.ToString();
    it_ = m_.lower_bound(!lower_.empty() && t < lower_ ? lower_ : t);
    skip_forward();
  }
  void SeekForPrev(const rocksdb::Slice& target) override {
    if (!upper_.empty() && target.ToString() >= upper_) return SeekToLast();
    it_ = m_.upper_bound(target.ToString());
    it_ = it_ == m_.begin() ? m_.end() : std::prev(it_);
    skip_backward();
  }
  void Next() override {
    ++*steps_;
    ++it_;
    skip_forward();
  }
  void Prev() override {
    ++*steps_;
    it_ = it_ == m_.begin() ? m_.end() : std::prev(it_);
    skip_backward();
  }
  rocksdb::Slice key() const override { return it_->first; }
  rocksdb::Slice value() const override { return it_->second; }
  rocksdb::Status status() const override { return rocksdb::Status::OK(); }

 private:
  const std::map<std::string, std::string>& m_;
  void skip_forward() {
    while (it_ != m_.end() && it_->second == kTombstone && !beyond_upper()) {
      ++*steps_;
      ++it_;
    }
    if (beyond_upper()) it_ = m_.end();
  }
  void skip_backward() {
    while (it_ != m_.end() && it_->second == kTombstone && !below_lower()) {
      ++*steps_;
      it_ = it_ == m_.begin() ? m_.end() : std::prev(it_);
    }
    if (below_lower()) it_ = m_.end();
  }
  bool beyond_upper() const { return it_ != m_.end() && !upper_.empty() && it_->first >= upper_; }
  bool below_lower() const { return it_ != m_.end() && !lower_.empty() && it_->first < lower_; }

  std::map<std::string, std::string>::const_iterator it_;
  uint64_t own_steps_ = 0;
  uint64_t* steps_;
  std::string lower_, upper_;
};

class MemoryKeys : public storage::types::KeyAccess {
 public:
  std::map<std::string, std::string> records;   // data key -> record
  std::map<std::string, std::string> elements;  // sub key -> value
  uint64_t reads = 0, writes = 0;               // open_key calls per Access
  uint64_t iterator_steps = 0;                  // steps of every sub_iterate (MapIterator)
  uint64_t point_reads = 0;                     // sub_get calls
  bool keep_tombstones = false;                 // sub_delete leaves kTombstone, as RocksDB
  bool keep_pop_pools = false;                  // pop_pools() gives `pools`
  storage::types::PopPools pools;
  storage::types::WalkDebts debts;  // walk_debts() gives it

  void open_key(uint16_t db, std::string_view key, storage::types::Access access,
                storage::types::Lookup& out) override {
    ++(access == storage::types::Access::Read ? reads : writes);
    auto it = records.find(storage::data_key(db, key));
    out.present = it != records.end();
    if (out.present) {
      out.raw = it->second;
      out.present = storage::decode_record(out.raw, out.record);
    }
    out.live = out.present;
  }
  void put(uint16_t db, std::string_view key, storage::ValueType type, uint64_t expire_at_ms,
           std::string_view payload, const storage::types::Lookup& old) override {
    drop_replaced(db, key, old, type, payload);
    storage::encode_record(records[storage::data_key(db, key)], type, expire_at_ms, payload);
  }
  void remove(uint16_t db, std::string_view key, const storage::types::Lookup& old) override {
    if (!old.present) return;
    drop_replaced(db, key, old, storage::ValueType::String, {});
    records.erase(storage::data_key(db, key));
  }
  bool sub_get(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
               std::string& value) override {
    ++point_reads;
    auto it = elements.find(sub_key(db, key, version, part));
    if (it == elements.end() || it->second == kTombstone) return false;
    value = it->second;
    return true;
  }
  void sub_put(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
               std::string_view value, PartReads = PartReads::ByPart) override {
    elements[sub_key(db, key, version, part)] = std::string(value);
  }
  void sub_delete(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                  PartReads = PartReads::ByPart) override {
    if (keep_tombstones)
      elements[sub_key(db, key, version, part)] = kTombstone;
    else
      elements.erase(sub_key(db, key, version, part));
  }
  std::unique_ptr<rocksdb::Iterator> sub_iterate(uint16_t db, std::string_view key,
                                                 uint64_t version, std::string& prefix) override {
    storage::encode_sub_prefix(prefix, db, key, version);
    return std::make_unique<MapIterator>(elements, &iterator_steps);
  }
  std::unique_ptr<rocksdb::Iterator> sub_iterate_within(uint16_t db, std::string_view key,
                                                        uint64_t version, std::string& prefix,
                                                        std::string_view lower,
                                                        std::string_view upper) override {
    storage::encode_sub_prefix(prefix, db, key, version);
    return std::make_unique<MapIterator>(elements, &iterator_steps,
                                         lower.empty() ? "" : prefix + std::string(lower),
                                         upper.empty() ? "" : prefix + std::string(upper));
  }
  uint64_t new_version() override { return ++last_version_; }
  storage::types::PopPools* pop_pools() override { return keep_pop_pools ? &pools : nullptr; }
  storage::types::WalkDebts* walk_debts() override { return &debts; }

  // The elements stored under (db, key, version): part -> value.
  std::map<std::string, std::string> elements_of(uint16_t db, std::string_view key,
                                                 uint64_t version) const {
    std::string prefix;
    storage::encode_sub_prefix(prefix, db, key, version);
    std::map<std::string, std::string> out;
    for (auto it = elements.lower_bound(prefix);
         it != elements.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      if (it->second != kTombstone) out[it->first.substr(prefix.size())] = it->second;
    }
    return out;
  }

 private:
  static std::string sub_key(uint16_t db, std::string_view key, uint64_t version,
                             std::string_view part) {
    std::string s;
    storage::encode_sub_prefix(s, db, key, version);
    s.append(part);
    return s;
  }
  // As core::Keyspace: replacing or removing a collection drops its version's elements.
  void drop_replaced(uint16_t db, std::string_view key, const storage::types::Lookup& old,
                     storage::ValueType type, std::string_view payload) {
    if (!old.present || old.record.type == storage::ValueType::String) return;
    storage::CollectionMeta before, after;
    if (!storage::CollectionMeta::decode(old.record.payload, before)) return;
    if (type != storage::ValueType::String && storage::CollectionMeta::decode(payload, after) &&
        after.version == before.version)
      return;
    for (const auto& [part, value] : elements_of(db, key, before.version))
      elements.erase(sub_key(db, key, before.version, part));
  }

  uint64_t last_version_ = 0;
};

}  // namespace basalt::unit
