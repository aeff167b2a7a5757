// storage/checked_iterator.h — owns the rule "a read error is never the end of the data" for
// iterators: a wrapper whose Valid() throws ReadError when the underlying iterator stopped
// because of an error (I/O, corruption) rather than because it ran out of keys. Every
// `for (; it->Valid(); it->Next())` loop over it then fails loudly instead of acting on a
// truncated range (KEYS, SCAN, collection reads, digests).
#pragma once

#include <rocksdb/iterator.h>

#include <memory>

#include "storage/engine.h"

namespace basalt::storage {

class CheckedIterator : public rocksdb::Iterator {
 public:
  explicit CheckedIterator(std::unique_ptr<rocksdb::Iterator> inner) : inner_(std::move(inner)) {}

  bool Valid() const override {
    if (inner_->Valid()) return true;
    found(inner_->status());  // throws ReadError unless the status is OK
    return false;
  }
  void SeekToFirst() override { inner_->SeekToFirst(); }
  void SeekToLast() override { inner_->SeekToLast(); }
  void Seek(const rocksdb::Slice& target) override { inner_->Seek(target); }
  void SeekForPrev(const rocksdb::Slice& target) override { inner_->SeekForPrev(target); }
  void Next() override { inner_->Next(); }
  void Prev() override { inner_->Prev(); }
  rocksdb::Slice key() const override { return inner_->key(); }
  rocksdb::Slice value() const override { return inner_->value(); }
  rocksdb::Status status() const override { return inner_->status(); }

 private:
  std::unique_ptr<rocksdb::Iterator> inner_;
};

inline std::unique_ptr<rocksdb::Iterator> checked(rocksdb::Iterator* inner) {
  return std::make_unique<CheckedIterator>(std::unique_ptr<rocksdb::Iterator>(inner));
}

}  // namespace basalt::storage
