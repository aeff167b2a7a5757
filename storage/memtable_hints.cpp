// storage/memtable_hints.cpp — the two memtable insert hints (see memtable_hints.h).
#include "storage/memtable_hints.h"

#include <cstdint>

namespace basalt::storage {

namespace {
constexpr size_t kDbPrefix = 2;

class RecordHint : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "basalt.DbPrefixHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), kDbPrefix);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > kDbPrefix; }
};

class ElementHint : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "basalt.ElementHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), kDbPrefix);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    constexpr size_t kBarePrefix = kDbPrefix + 4 + 8;  // db, key length, version (no key)
    if (key.size() <= kBarePrefix) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(key.data()) + kDbPrefix;
    const uint64_t key_size =
        (uint64_t{p[0]} << 24) | (uint64_t{p[1]} << 16) | (uint64_t{p[2]} << 8) | p[3];
    return key.size() > kBarePrefix + key_size;
  }
};
}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> make_record_hint() {
  return std::make_shared<RecordHint>();
}

std::shared_ptr<const rocksdb::SliceTransform> make_element_hint() {
  return std::make_shared<ElementHint>();
}

}  // namespace basalt::storage
