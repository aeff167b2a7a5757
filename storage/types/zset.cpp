// node/commands/zset_store.cpp — see zset_store.h.
#include "node/commands/zset_store.h"

#include "storage/codec.h"

namespace basalt::commands::zset {

bool open_zset(Context& c, std::string_view key, ZSet& z, Access access) {
  z.key = key;
  return open_collection(c, key, storage::ValueType::ZSet, z.col, access);
}

bool score_of(Context& c, const ZSet& z, std::string_view member, double& score) {
  if (z.version() == 0) return false;  // missing, and no members added in this command yet
  std::string value;
  if (!c.ks.sub_get(c.db(), z.key, z.version(), member_part(member), value)) return false;
  score = read_score(value);
  return true;
}

void insert_member(Context& c, ZSet& z, std::string_view member, double score) {
  std::string value;
  append_score(value, score);
  c.ks.sub_put(c.db(), z.key, z.version(), member_part(member), value);
  c.ks.sub_put(c.db(), z.key, z.version(), index_part(score, member), "");
  ++z.col.meta.size;
}

void change_score(Context& c, ZSet& z, std::string_view member, double old_score, double score) {
  if (score_bits(old_score) == score_bits(score)) return;
  std::string value;
  append_score(value, score);
  c.ks.sub_put(c.db(), z.key, z.version(), member_part(member), value);
  c.ks.sub_delete(c.db(), z.key, z.version(), index_part(old_score, member));
  c.ks.sub_put(c.db(), z.key, z.version(), index_part(score, member), "");
}

void erase_member(Context& c, ZSet& z, std::string_view member, double score) {
  c.ks.sub_delete(c.db(), z.key, z.version(), member_part(member));
  c.ks.sub_delete(c.db(), z.key, z.version(), index_part(score, member));
  if (z.col.meta.size > 0) --z.col.meta.size;
}

void save_zset(Context& c, ZSet& z) {
  save_collection(c, z.key, storage::ValueType::ZSet, z.col);
}

bool replace_with_entries(Context& c, std::string_view key, const std::vector<Entry>& entries) {
  core::Lookup old;
  c.write_lookup(key, old);
  if (entries.empty()) {
    if (!old.live) return false;
    c.ks.remove(c.db(), key, old);
    return true;
  }
  ZSet z;
  z.key = key;
  z.col.meta.version = c.ks.new_version();
  for (const auto& [member, score] : entries) insert_member(c, z, member, score);
  c.ks.put(c.db(), key, storage::ValueType::ZSet, 0, z.col.meta.encode(), old);
  return true;
}

IndexCursor::IndexCursor(Context& c, const ZSet& z, bool reverse) : reverse_(reverse) {
  it_ = c.ks.sub_iterate(c.db(), z.key, z.version(), prefix_);
  prefix_.push_back(kIndexTag);
}

void IndexCursor::load() {
  valid_ = it_->Valid() && it_->key().starts_with(prefix_);
  if (!valid_) return;
  std::string_view part(it_->key().data() + prefix_.size() - 1,
                        it_->key().size() - prefix_.size() + 1);
  valid_ = parse_index_part(part, score_, member_);
}

void IndexCursor::seek(std::string_view part) {
  target_.assign(prefix_);
  target_.append(part.substr(1));
  it_->Seek(target_);
}

void IndexCursor::seek_before(std::string_view part) {
  target_.assign(prefix_);
  target_.append(part.substr(1));
  it_->SeekForPrev(target_);
  if (it_->Valid() && it_->key() == rocksdb::Slice(target_)) it_->Prev();
}

void IndexCursor::to_first() {
  if (!reverse_) {
    it_->Seek(prefix_);
  } else {
    // Every index key is below prefix + 't'... but above prefix_ itself.
    target_.assign(prefix_);
    target_.back() = static_cast<char>(kIndexTag + 1);
    it_->SeekForPrev(target_);
  }
  load();
}

void IndexCursor::to_rank(uint64_t rank, uint64_t size) {
  bool from_far_end = size > 0 && rank >= size / 2 && rank < size;
  uint64_t steps = from_far_end ? size - 1 - rank : rank;
  if (from_far_end) reverse_ = !reverse_;
  to_first();
  for (uint64_t i = 0; i < steps && valid_; ++i) next();
  if (from_far_end) reverse_ = !reverse_;
}

void IndexCursor::to_score(double bound, bool exclusive) {
  // The first index key of a score s is 's' + bits(s) (empty member).
  uint64_t bits = score_bits(bound);
  std::string part(1, kIndexTag);
  if (!reverse_) {
    storage::put_u64_be(part, exclusive ? bits + 1 : bits);
    seek(part);
  } else {
    storage::put_u64_be(part, exclusive ? bits : bits + 1);
    seek_before(part);
  }
  load();
}

void IndexCursor::to_entry(double score, std::string_view member) {
  std::string part = index_part(score, member);
  if (!reverse_) {
    seek(part);
  } else {
    target_.assign(prefix_);
    target_.append(std::string_view(part).substr(1));
    it_->SeekForPrev(target_);
  }
  load();
}

void IndexCursor::next() {
  if (reverse_)
    it_->Prev();
  else
    it_->Next();
  load();
}

}  // namespace basalt::commands::zset
