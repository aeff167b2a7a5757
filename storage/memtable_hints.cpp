// storage/memtable_hints.cpp — the two memtable insert hints (see memtable_hints.h).
#include "storage/memtable_hints.h"

#include <string_view>

#include "storage/codec.h"

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
    // An element: its collection's prefix, then a non-empty part.
    const size_t prefix = sub_prefix_size(std::string_view(key.data(), key.size()));
    return prefix != 0 && key.size() > prefix;
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
