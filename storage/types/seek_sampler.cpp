// storage/types/seek_sampler.cpp — see seek_sampler.h.
#include "storage/types/seek_sampler.h"

#include <algorithm>
#include <random>

namespace basalt::storage::types {

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

// The smallest string above every string that starts with `prefix` ("" if none).
std::string successor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// A fork deeper than this (keys sharing kilobytes) ends the descent where it is.
constexpr int kMaxForks = 4096;

}  // namespace

SeekSampler::SeekSampler(KeyAccess& ks, uint16_t db, std::string_view key, uint64_t version,
                         std::string_view part_prefix) {
  it_ = ks.sub_iterate(db, key, version, prefix_);
  prefix_.append(part_prefix);
}

bool SeekSampler::at_prefix(std::string_view prefix) const {
  return it_->Valid() && it_->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
}

bool SeekSampler::seek_last(const std::string& prefix, std::string& out) {
  std::string end = successor(prefix);
  if (end.empty()) {
    it_->SeekToLast();
  } else {
    it_->SeekForPrev(end);
    if (it_->Valid() && it_->key() == rocksdb::Slice(end)) it_->Prev();
  }
  if (!at_prefix(prefix)) return false;
  out.assign(it_->key().data(), it_->key().size());
  return true;
}

bool SeekSampler::pick(Element& out) {
  branch_ = prefix_;
  it_->Seek(branch_);
  if (!at_prefix(branch_)) return false;
  lo_.assign(it_->key().data(), it_->key().size());
  for (int fork = 0; fork < kMaxForks; ++fork) {
    if (!seek_last(branch_, hi_)) return false;
    if (hi_ == lo_) break;  // one key left under the branch
    // Every key of the branch starts with what its first and last keys share.
    size_t c = std::mismatch(lo_.begin(), lo_.end(), hi_.begin(), hi_.end()).first - lo_.begin();
    branch_.assign(lo_, 0, c);
    // The choices: the key that ends here (lo_, if it does), and each byte value from the
    // first key's next byte to the last key's (hi_ > lo_, so hi_ goes on past c).
    bool ends_here = lo_.size() == c;
    if (ends_here) {
      it_->Seek(lo_);
      it_->Next();
      if (!at_prefix(branch_)) break;
    }
    auto first = static_cast<unsigned char>(ends_here ? it_->key()[c] : lo_[c]);
    auto last = static_cast<unsigned char>(hi_[c]);
    uint64_t choice =
        std::uniform_int_distribution<uint64_t>(0, last - first + (ends_here ? 1 : 0))(rng());
    if (ends_here && choice == 0) break;  // lo_ is the pick
    target_ = branch_;
    target_.push_back(static_cast<char>(first + choice - (ends_here ? 1 : 0)));
    it_->Seek(target_);  // lands on the first key of the first branch at or past the byte
    if (!at_prefix(branch_)) return false;
    lo_.assign(it_->key().data(), it_->key().size());
    branch_.assign(lo_, 0, c + 1);
  }
  it_->Seek(lo_);
  if (!at_prefix(prefix_)) return false;
  out.first.assign(it_->key().data() + prefix_.size(), it_->key().size() - prefix_.size());
  out.second.assign(it_->value().data(), it_->value().size());
  return true;
}

}  // namespace basalt::storage::types
