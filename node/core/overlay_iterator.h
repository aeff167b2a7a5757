// node/core/overlay_iterator.h — an iterator over one column family as a write group sees it:
// the committed entries (a base iterator on the database) overlaid with the group's own
// writes to that family, which the group keeps in an ordered map past the batch's index
// (node/core/keyspace.h, GroupRecords: key -> {present, value}; present == false is a
// deletion). A map entry hides the base entry of the same key; a deletion hides it and is
// not shown itself. So an iterator over a group's elements needs no batch index: indexing
// them (WriteBatchWithIndex) cost a skiplist insert per record and wrote each record into
// the batch a second time.
//
// Order is bytewise (the column families' comparator, and std::string's). The map must not
// change while the iterator is used. A base read error ends the walk (Valid() false with the
// error in status()), never shows as the end of the data.
#pragma once

#include <rocksdb/iterator.h>

#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace basalt::core {

template <class Map>
class OverlayIterator final : public rocksdb::Iterator {
 public:
  OverlayIterator(std::unique_ptr<rocksdb::Iterator> base, const Map& delta)
      : base_(std::move(base)), map_(delta), delta_(delta.end()) {}

  bool Valid() const override { return at_ != At::None; }
  void SeekToFirst() override {
    base_->SeekToFirst();
    delta_ = map_.begin();
    settle_forward();
  }
  void SeekToLast() override {
    base_->SeekToLast();
    delta_ = map_.empty() ? map_.end() : std::prev(map_.end());
    settle_backward();
  }
  void Seek(const rocksdb::Slice& target) override {
    base_->Seek(target);
    delta_ = map_.lower_bound(view(target));
    settle_forward();
  }
  void SeekForPrev(const rocksdb::Slice& target) override {
    base_->SeekForPrev(target);
    delta_ = map_.upper_bound(view(target));
    delta_ = delta_ == map_.begin() ? map_.end() : std::prev(delta_);
    settle_backward();
  }
  void Next() override {
    if (!forward_) {
      // Turn around: both sides at the first entry >= the current key (which is this one).
      std::string k = key().ToString();
      Seek(k);
      if (!Valid()) return;
    }
    if (at_ == At::Base) {
      base_->Next();
    } else {
      if (base_->Valid() && base_->key() == slice(delta_->first)) base_->Next();
      ++delta_;
    }
    settle_forward();
  }
  void Prev() override {
    if (forward_) {
      std::string k = key().ToString();
      SeekForPrev(k);
      if (!Valid()) return;
    }
    if (at_ == At::Base) {
      base_->Prev();
    } else {
      if (base_->Valid() && base_->key() == slice(delta_->first)) base_->Prev();
      step_back();
    }
    settle_backward();
  }
  rocksdb::Slice key() const override {
    return at_ == At::Base ? base_->key() : slice(delta_->first);
  }
  rocksdb::Slice value() const override {
    return at_ == At::Base ? base_->value() : slice(delta_->second.value);
  }
  rocksdb::Status status() const override { return base_->status(); }

 private:
  enum class At { None, Base, Delta };

  static std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
  static rocksdb::Slice slice(const std::string& s) { return {s.data(), s.size()}; }

  // The base side has ended: for good (ran out), or with an error (then nothing more shows).
  bool base_failed() const { return !base_->Valid() && !base_->status().ok(); }
  void step_back() { delta_ = delta_ == map_.begin() ? map_.end() : std::prev(delta_); }

  // Leaves the iterator on the smallest visible entry at or after both sides' positions.
  void settle_forward() {
    forward_ = true;
    for (;;) {
      if (base_failed()) return void(at_ = At::None);
      bool b = base_->Valid(), d = delta_ != map_.end();
      if (!b && !d) return void(at_ = At::None);
      int c = !b ? 1 : !d ? -1 : base_->key().compare(slice(delta_->first));
      if (c < 0) return void(at_ = At::Base);
      if (delta_->second.present) return void(at_ = At::Delta);
      if (c == 0) base_->Next();  // the deletion hides the base entry
      ++delta_;
    }
  }
  // Leaves the iterator on the largest visible entry at or before both sides' positions.
  void settle_backward() {
    forward_ = false;
    for (;;) {
      if (base_failed()) return void(at_ = At::None);
      bool b = base_->Valid(), d = delta_ != map_.end();
      if (!b && !d) return void(at_ = At::None);
      int c = !b ? -1 : !d ? 1 : base_->key().compare(slice(delta_->first));
      if (c > 0) return void(at_ = At::Base);
      if (delta_->second.present) return void(at_ = At::Delta);
      if (c == 0) base_->Prev();
      step_back();
    }
  }

  std::unique_ptr<rocksdb::Iterator> base_;
  const Map& map_;
  typename Map::const_iterator delta_;
  At at_ = At::None;
  bool forward_ = true;
};

}  // namespace basalt::core
