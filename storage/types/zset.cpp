// storage/types/zset.cpp — see zset.h.
#include "storage/types/zset.h"

#include <algorithm>
#include <random>

#include "storage/codec.h"
#include "storage/dataset_size.h"

namespace basalt::storage::types::zset {

bool score_of(const Collection& z, std::string_view member, double& score) {
  if (!z.has_version()) return false;  // missing, and no members added in this command yet
  std::string value;
  if (!z.keys().sub_get(z.db(), z.key(), z.meta.version, member_part(member), value)) return false;
  score = read_score(value);
  return true;
}

void for_each_member(const Collection& z, const std::function<void(std::string_view, double)>& f) {
  z.for_each(
      [&](std::string_view member, std::string_view value) {
        f(member, read_score(value));
        return true;
      },
      std::string_view(&kMemberTag, 1));
}

namespace {

// Keeps the pop bounds (zset.h) true of an index entry of `score` being added.
void widen_bounds(ZSet& z, double score) {
  uint64_t bits = score_bits(score);
  if (z.meta.head > bits) z.meta.head = bits;
  if (z.meta.tail != 0 && z.meta.tail <= bits) z.meta.tail = bits + 1;
}

}  // namespace

void insert_member(ZSet& z, std::string_view member, double score) {
  widen_bounds(z, score);
  std::string value;
  append_score(value, score);
  z.keys().sub_put(z.db(), z.key(), z.version(), member_part(member), value);
  z.keys().sub_put(z.db(), z.key(), z.version(), index_part(score, member), "");
  ++z.meta.size;
  z.meta.bytes += element_bytes(member.size(), kScoreBytes);
}

void change_score(ZSet& z, std::string_view member, double old_score, double score) {
  if (score_bits(old_score) == score_bits(score)) return;
  widen_bounds(z, score);
  std::string value;
  append_score(value, score);
  z.keys().sub_put(z.db(), z.key(), z.version(), member_part(member), value);
  z.keys().sub_delete(z.db(), z.key(), z.version(), index_part(old_score, member));
  z.keys().sub_put(z.db(), z.key(), z.version(), index_part(score, member), "");
}

void erase_member(ZSet& z, std::string_view member, double score) {
  z.keys().sub_delete(z.db(), z.key(), z.version(), member_part(member));
  z.keys().sub_delete(z.db(), z.key(), z.version(), index_part(score, member));
  if (z.meta.size > 0) --z.meta.size;
  z.meta.bytes -= element_bytes(member.size(), kScoreBytes);
}

bool replace_with_entries(KeyAccess& ks, uint16_t db, std::string_view key,
                          const std::vector<Entry>& entries) {
  Lookup old;
  ks.open_key(db, key, Access::Write, old);
  if (entries.empty()) {
    if (!old.live) return false;
    ks.remove(db, key, old);
    return true;
  }
  ZSet z(ks, db, key);
  z.meta.version = ks.new_version();
  // The element entries go in in key order: the member entries by member, then the index
  // entries by (score, member). A million puts in hash-map order cost the batch's index and
  // the memtable over ten times more than in order (ZUNIONSTORE of 1,000,000 members held the
  // event loop 106 s; bench/blocking_commands.py).
  std::vector<const Entry*> order;
  order.reserve(entries.size());
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](const Entry* a, const Entry* b) { return a->first < b->first; });
  std::string value;
  for (const Entry* e : order) {
    value.clear();
    append_score(value, e->second);
    ks.sub_put(db, key, z.meta.version, member_part(e->first), value);
  }
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    const uint64_t sa = score_bits(a->second), sb = score_bits(b->second);
    return sa != sb ? sa < sb : a->first < b->first;
  });
  for (const Entry* e : order)
    ks.sub_put(db, key, z.meta.version, index_part(e->second, e->first), "");
  z.meta.size = entries.size();
  ks.put(db, key, ValueType::ZSet, 0, z.meta.encode(), old);
  return true;
}

std::vector<Entry> pop(ZSet& z, uint64_t count, bool max) {
  std::vector<Entry> popped;
  {
    // Start at the bound the last pop left, not at the end of the index: the entries popped
    // before are deleted, but their tombstones stay until a compaction, and a walk from the
    // end would step over every one of them (a queue drained by ZPOPMIN: O(popped) each).
    IndexCursor cur(z, max);
    if (!max && z.meta.head != 0)
      cur.to_score(score_from_bits(z.meta.head), false);
    else if (max && z.meta.tail != 0)
      cur.to_score(score_from_bits(z.meta.tail - 1), false);
    else
      cur.to_first();
    for (; cur.valid() && popped.size() < count; cur.next()) popped.push_back(cur.entry());
  }
  if (popped.empty()) return popped;
  for (const auto& [member, score] : popped) erase_member(z, member, score);
  // What is left lies at or beyond the last entry popped.
  uint64_t last = score_bits(popped.back().second);
  if (max)
    z.meta.tail = last + 1;
  else
    z.meta.head = last;
  save(z);
  return popped;
}

std::vector<Entry> random_members(const ZSet& z, uint64_t count, bool unique) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::vector<Entry> out;
  auto to_entry = [](const Element& e) { return Entry(e.first.substr(1), read_score(e.second)); };
  auto is_member = [](const Element& e) { return !e.first.empty() && e.first[0] == kMemberTag; };
  // Collection::random walks every entry of the collection; the member entries come first
  // in key order ('m' < 's'), so positions below size() are members. Whole-set picks also
  // see the index entries and are filtered here.
  if (!unique && count >= z.size() / 2) {
    std::vector<Entry> pool;
    for (const auto& e : z.random(z.size(), true)) {
      if (is_member(e)) pool.push_back(to_entry(e));
    }
    if (pool.empty()) return out;
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
    out.reserve(count);
    for (uint64_t i = 0; i < count; ++i) out.push_back(pool[pick(rng)]);
    return out;
  }
  for (const auto& e : z.random(count, unique)) {
    if (is_member(e)) out.push_back(to_entry(e));
  }
  return out;
}

IndexCursor::IndexCursor(const ZSet& z, bool reverse) : reverse_(reverse) {
  it_ = z.keys().sub_iterate(z.db(), z.key(), z.version(), prefix_);
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
    put_u64_be(part, exclusive ? bits + 1 : bits);
    seek(part);
  } else {
    put_u64_be(part, exclusive ? bits : bits + 1);
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

}  // namespace basalt::storage::types::zset
