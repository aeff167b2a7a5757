// storage/types/zset.cpp — see zset.h.
#include "storage/types/zset.h"

#include <algorithm>
#include <utility>

#include "storage/codec.h"
#include "storage/dataset_size.h"
#include "storage/types/pop_pool.h"

namespace basalt::storage::types::zset {

bool score_of(const Collection& z, std::string_view member, double& score) {
  if (!z.has_version()) return false;  // missing, and no members added in this command yet
  std::string value;
  if (!z.keys().sub_get(z.db(), z.key(), z.meta.version, scratch_member_part(member), value))
    return false;
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
// An index entry written at `part`: a bound it lies beyond moves to it (collection.h), and
// the tombstones that were behind that bound are in the way of walks again: dead ones.
void put_index_entry(ZSet& z, std::string_view part) {
  z.keys().sub_put(z.db(), z.key(), z.version(), part, "", KeyAccess::PartReads::WalkedOnly);
  if (!z.meta.floor.empty() && part < z.meta.floor) {
    z.meta.floor = part;
    z.meta.dead += std::exchange(z.behind_floor(), 0);
  }
  if (!z.meta.ceiling.empty() && part > z.meta.ceiling) {
    z.meta.ceiling = part;
    z.meta.dead += std::exchange(z.behind_ceiling(), 0);
  }
}
}  // namespace

void insert_member(ZSet& z, std::string_view member, double score) {
  std::string value;
  append_score(value, score);
  z.keys().sub_put(z.db(), z.key(), z.version(), scratch_member_part(member), value);
  put_index_entry(z, scratch_index_part(score, member));
  ++z.meta.size;
  z.meta.bytes += element_bytes(member.size(), kScoreBytes);
}

void change_score(ZSet& z, std::string_view member, double old_score, double score) {
  if (score_bits(old_score) == score_bits(score)) return;
  std::string value;
  append_score(value, score);
  z.keys().sub_put(z.db(), z.key(), z.version(), scratch_member_part(member), value);
  z.keys().sub_delete(z.db(), z.key(), z.version(), scratch_index_part(old_score, member),
                      KeyAccess::PartReads::WalkedOnly);
  ++z.meta.dead;
  put_index_entry(z, scratch_index_part(score, member));
}

void erase_member(ZSet& z, std::string_view member, double score) {
  z.keys().sub_delete(z.db(), z.key(), z.version(), scratch_member_part(member));
  z.keys().sub_delete(z.db(), z.key(), z.version(), scratch_index_part(score, member),
                      KeyAccess::PartReads::WalkedOnly);
  z.meta.dead += 2;
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
    ks.sub_put(db, key, z.meta.version, index_part(e->second, e->first), "",
               KeyAccess::PartReads::WalkedOnly);
  z.meta.size = entries.size();
  ks.put(db, key, ValueType::ZSet, 0, z.meta.encode(), old);
  return true;
}

std::vector<Entry> pop(ZSet& z, uint64_t count, bool max) {
  std::vector<Entry> popped;
  count = std::min(count, z.meta.size);
  if (count == 0) return popped;
  // The read-ahead of this end (pop_pool.h): taken from if it still holds the next entries,
  // else refilled by the walk below. Only the event loop's write views keep them.
  PopPools* pools = z.keys().pop_pools();
  PopAhead* ahead = pools ? &pools->ahead(z.db(), z.key(), z.version(), max) : nullptr;
  const uint64_t stamp = z.meta.size + z.meta.dead;
  std::string& own = max ? z.meta.ceiling : z.meta.floor;
  const std::string& other = max ? z.meta.floor : z.meta.ceiling;
  if (ahead && (ahead->stamp != stamp || ahead->own != own || ahead->other != other)) {
    if (ahead->left() > 0) ahead->span = kPopAheadFirst;  // stale before it was used up
    ahead->entries.clear();
    ahead->next = 0;
  }
  if (ahead && ahead->left() >= count) {
    for (uint64_t i = 0; i < count; ++i) popped.push_back(std::move(ahead->entries[ahead->next++]));
  } else {
    if (ahead) {
      if (!ahead->entries.empty()) ahead->span = std::min(ahead->span * 2, kPopAheadMost);
      ahead->entries.clear();
      ahead->next = 0;
    }
    IndexCursor cur(z, max, /*charge_walk=*/false);
    uint64_t bytes = 0;
    for (cur.to_first(); cur.valid(); cur.next()) {
      if (popped.size() < count) {
        popped.push_back(cur.entry());
        // No step beyond the last entry popped unless reading ahead.
        if (popped.size() == count && !ahead) break;
        continue;
      }
      ahead->entries.push_back(cur.entry());
      bytes += ahead->entries.back().first.size();
      if (ahead->entries.size() >= ahead->span || bytes >= kPopAheadBytes) break;
    }
  }
  if (popped.empty()) return popped;
  for (const auto& [member, score] : popped) {
    z.keys().sub_delete(z.db(), z.key(), z.version(), scratch_member_part(member));
    z.keys().sub_delete(z.db(), z.key(), z.version(), scratch_index_part(score, member),
                        KeyAccess::PartReads::WalkedOnly);
    z.meta.bytes -= element_bytes(member.size(), kScoreBytes);
  }
  z.meta.size -= std::min<uint64_t>(z.meta.size, popped.size());
  // Everything beyond the last entry popped is gone: the next walk from this end starts
  // there, not at the tombstones of every pop so far (ZPOPMIN on 50k members ran at 120/s),
  // and no walk steps past it (IndexCursor's iterator bounds). Counting those index
  // tombstones as dead made a drained set copy itself every few thousand pops: half the
  // work of ZPOPMIN from a 63k-member set, and a stall of tens of ms per copy.
  z.meta.dead += popped.size();  // the member entries: walks over members cross them
  (max ? z.behind_ceiling() : z.behind_floor()) += popped.size();
  own = index_part(popped.back().second, popped.back().first);
  if (ahead) {
    // The set as the next pop from this end will find it, if nothing else touches it.
    ahead->stamp = z.meta.size + z.meta.dead;
    ahead->own = own;
    ahead->other = other;
  }
  save(z);
  return popped;
}

std::vector<Entry> random_members(const ZSet& z, uint64_t count, bool unique) {
  // Among the member entries only (the index entries follow them, under their own tag).
  std::vector<Entry> out;
  for (auto& e : z.random(count, unique, std::string_view(&kMemberTag, 1)))
    out.emplace_back(std::move(e.first), read_score(e.second));
  return out;
}

IndexCursor::IndexCursor(const ZSet& z, bool reverse, bool charge_walk)
    : z_(&z),
      charge_walk_(charge_walk),
      floor_(z.meta.floor),
      ceiling_(z.meta.ceiling),
      reverse_(reverse) {
  // The iterator stays within [floor, ceiling]: the tombstones pops left beyond them are
  // never crossed, whichever way a walk runs off the end of the live entries.
  if (!ceiling_.empty()) {
    upper_ = ceiling_;
    upper_.push_back('\0');  // the first part after the ceiling
  } else {
    upper_.push_back(static_cast<char>(kIndexTag + 1));
  }
  std::string_view lower = floor_.empty() ? std::string_view(&kIndexTag, 1) : floor_;
  it_ = z.keys().sub_iterate_within(z.db(), z.key(), z.version(), prefix_, lower, upper_);
  prefix_.push_back(kIndexTag);
}

IndexCursor::~IndexCursor() {
  // The index tombstones in the walk's way: each pop behind a bound left one there (not
  // counted in dead) and a member tombstone (counted), so at most dead minus those pops.
  const CollectionMeta& m = z_->meta;
  const uint64_t behind = m.head + m.tail;
  if (charge_walk_) z_->note_walk(visited_, m.dead > behind ? m.dead - behind : 0);
}

void IndexCursor::load() {
  valid_ = it_->Valid() && it_->key().starts_with(prefix_);
  if (!valid_) return;
  ++visited_;
  std::string_view part(it_->key().data() + prefix_.size() - 1,
                        it_->key().size() - prefix_.size() + 1);
  valid_ = parse_index_part(part, score_, member_);
}

// Seeks never start below the floor or above the ceiling: no live entry is there, only
// tombstones, and crossing each costs a step.
void IndexCursor::seek(std::string_view part) {
  if (!floor_.empty() && part < std::string_view(floor_)) part = floor_;
  target_.assign(prefix_);
  target_.append(part.substr(1));
  it_->Seek(target_);
}

void IndexCursor::seek_at_most(std::string_view part) {
  if (!ceiling_.empty() && part > std::string_view(ceiling_)) part = ceiling_;
  target_.assign(prefix_);
  target_.append(part.substr(1));
  it_->SeekForPrev(target_);
}

void IndexCursor::seek_before(std::string_view part) {
  if (!ceiling_.empty() && part > std::string_view(ceiling_)) return seek_at_most(ceiling_);
  seek_at_most(part);
  if (it_->Valid() && it_->key() == rocksdb::Slice(target_)) it_->Prev();
}

void IndexCursor::to_first() {
  if (!reverse_) {
    if (floor_.empty())
      it_->Seek(prefix_);
    else
      seek(floor_);
  } else if (!ceiling_.empty()) {
    seek_at_most(ceiling_);
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
  if (!reverse_)
    seek(part);
  else
    seek_at_most(part);
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
