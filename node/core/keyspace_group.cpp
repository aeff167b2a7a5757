// node/core/keyspace_group.cpp — the part of Keyspace (keyspace.h) that keeps a write group's
// own records: the top-level records and the element writes kept back from the batch until
// the commit (each key once, in its final state), indexing them for iterators, and the save
// points with their rollback (the undo log of the kept-back records).
#include <stdexcept>

#include "node/core/keyspace.h"
#include "node/util/log.h"
#include "storage/codec.h"

namespace basalt::core {

void Keyspace::write_entry(GroupRecords& records, rocksdb::ColumnFamilyHandle* cf, bool present,
                           std::string_view value, bool walked_only) {
  if (through_index_) {
    rocksdb::Slice v(value.data(), value.size());
    if (present)
      batch_->Put(cf, key_buf_, v);
    else
      batch_->Delete(cf, key_buf_);
  }
  // A record (top-level or element) stays out of the batch until the commit (stage_records)
  // or an iterator needs it (index_records), kept in step for a rollback (even after one: an
  // outer save point may still be rolled back to).
  auto slot = records.lower_bound(key_buf_);
  const bool inserted = slot == records.end() || slot->first != key_buf_;
  if (inserted) slot = new_record(records, slot, key_buf_);
  if (save_depth_ > 0 && (inserted || slot->second.saved_serial != serial_))
    save_for_undo(records, slot, inserted);
  auto& rec = slot->second;
  rec.present = present;
  rec.walked_only = walked_only;
  rec.indexed = through_index_;
  rec.pending = !through_index_;
  rec.value.assign(value);
  if (rec.pending) pending_ = true;
  if (!through_index_) index_behind_ = true;
}

namespace {
constexpr size_t kSpareRecords = 4096;
constexpr size_t kSpareBuffer = 256;  // a node holding a larger key or value is freed
}  // namespace

std::vector<Keyspace::GroupRecords::node_type>& Keyspace::spare_records() {
  thread_local std::vector<GroupRecords::node_type> spare;
  return spare;
}

Keyspace::GroupRecords::iterator Keyspace::new_record(GroupRecords& records,
                                                      GroupRecords::iterator hint,
                                                      const std::string& key) {
  auto& spare = spare_records();
  if (spare.empty()) return records.emplace_hint(hint, key, GroupRecord{});
  GroupRecords::node_type node = std::move(spare.back());
  spare.pop_back();
  node.key().assign(key);
  GroupRecord& rec = node.mapped();
  rec.present = rec.indexed = rec.pending = false;
  rec.saved_serial = 0;
  rec.walked_only = false;
  rec.value.clear();
  return records.insert(hint, std::move(node));
}

void Keyspace::keep_spare(GroupRecords& records) {
  auto& spare = spare_records();
  while (!records.empty() && spare.size() < kSpareRecords) {
    GroupRecords::node_type node = records.extract(records.begin());
    if (node.key().capacity() <= kSpareBuffer && node.mapped().value.capacity() <= kSpareBuffer)
      spare.push_back(std::move(node));
  }
}

Keyspace::~Keyspace() {
  keep_spare(written_);
  keep_spare(sub_written_);
}

void Keyspace::save_for_undo(GroupRecords& records, GroupRecords::iterator slot, bool inserted) {
  if (undo_size_ == undo_.size()) undo_.emplace_back();
  Undo& u = undo_[undo_size_++];
  u.element = &records == &sub_written_;
  u.key.assign(slot->first);
  u.existed = !inserted;
  if (!inserted) {
    // Copied, not moved: the slot's value keeps its buffer for the write that follows.
    const GroupRecord& now = slot->second;
    u.before.present = now.present;
    u.before.indexed = now.indexed;
    u.before.pending = now.pending;
    u.before.saved_serial = now.saved_serial;
    u.before.walked_only = now.walked_only;
    u.before.value.assign(now.value);
  }
  slot->second.saved_serial = serial_;
}

void Keyspace::stage_records(rocksdb::WriteBatch& into) {
  if (!pending_) return;
  auto stage = [&](GroupRecords& records, rocksdb::ColumnFamilyHandle* cf) {
    for (auto& [key, rec] : records) {
      if (!rec.pending) continue;
      rocksdb::Status s = rec.present ? into.Put(cf, key, rec.value) : into.Delete(cf, key);
      if (!s.ok()) throw std::runtime_error("write batch: " + s.ToString());
      rec.pending = false;
    }
  };
  stage(written_, shared_.engine->data_cf());
  stage(sub_written_, shared_.engine->sub_cf());
  pending_ = false;
}

void Keyspace::erase_range(GroupRecords& records, std::string_view begin, std::string_view end) {
  auto first = records.lower_bound(begin);
  auto last = records.lower_bound(end);
  if (save_depth_ > 0) {
    for (auto it = first; it != last; ++it) save_for_undo(records, it, false);
  }
  records.erase(first, last);
}

void Keyspace::index_records() {
  if (!index_behind_ || through_index_) return;
  // The records not yet indexed, again through the index (the batch then holds them twice:
  // the later entry wins, and it holds the same state).
  auto& engine = *shared_.engine;
  auto index = [&](GroupRecords& records, rocksdb::ColumnFamilyHandle* cf) {
    for (auto& [key, rec] : records) {
      if (rec.indexed) continue;
      if (rec.present)
        batch_->Put(cf, key, rec.value);
      else
        batch_->Delete(cf, key);
      rec.indexed = true;
      rec.pending = false;  // (the batch has it now; a later write makes it pending again)
    }
  };
  index(written_, engine.data_cf());
  index(sub_written_, engine.sub_cf());
  index_behind_ = false;
}

Keyspace::SavePoint Keyspace::save_point() {
  SavePoint p;
  if (!batch_) return p;
  batch_->SetSavePoint();
  p.stream_size = stream_ ? stream_->size() : 0;
  p.stream_db = stream_ ? stream_->selected_db() : -1;
  p.depth = save_depth_++;
  p.undo_size = undo_size_;
  p.outer_serial = serial_;
  serial_ = ++last_serial_;
  if (saved_deltas_.size() <= p.depth) saved_deltas_.resize(p.depth + 1);
  auto& saved = saved_deltas_[p.depth];  // reused: no allocation once the depth was reached
  saved.clear();
  saved.insert(saved.end(), count_deltas_.begin(), count_deltas_.end());
  saved.insert(saved.end(), expire_deltas_.begin(), expire_deltas_.end());
  saved.insert(saved.end(), bytes_deltas_.begin(), bytes_deltas_.end());
  return p;
}

void Keyspace::rollback(const SavePoint& p) {
  if (!batch_) return;
  if (rocksdb::Status s = batch_->RollbackToSavePoint(); !s.ok()) {
    // The batch is cut back, but its index could not be rebuilt (a range deletion before
    // the save point: the pipeline ends a group after a flush so that this does not occur).
    log::error("write batch rollback: the index could not be rebuilt: {}", s.ToString());
  }
  clear_cache_ = true;
  shared_.pop_pools.clear();  // they may hold picks taken, or members added, by what is undone
  // The records as they stood at the save point (some of them were kept back from the
  // batch, others were written to it after the save point and are cut now)...
  while (undo_size_ > p.undo_size) {
    Undo& u = undo_[--undo_size_];
    GroupRecords& records = u.element ? sub_written_ : written_;
    if (u.existed)
      records.insert_or_assign(u.key, u.before);
    else
      records.erase(u.key);
  }
  serial_ = p.outer_serial;
  // ...all go into the batch again, through its index: from now on the group writes through
  // the index and reads from it. The maps are kept (and kept in step), for a rollback to an
  // outer save point, which cuts these writes too.
  through_index_ = true;
  auto& engine = *shared_.engine;
  for (auto [records, cf] :
       {std::pair{&written_, engine.data_cf()}, std::pair{&sub_written_, engine.sub_cf()}}) {
    for (auto& [key, rec] : *records) {
      if (rec.present)
        batch_->Put(cf, key, rec.value);
      else
        batch_->Delete(cf, key);
      rec.indexed = true;
      rec.pending = false;
    }
  }
  copy_prior_into_batch();
  pending_ = false;
  index_behind_ = false;
  if (stream_) stream_->truncate(p.stream_size, p.stream_db);
  const auto& saved = saved_deltas_[p.depth];
  auto n = static_cast<std::ptrdiff_t>(count_deltas_.size());
  std::copy(saved.begin(), saved.begin() + n, count_deltas_.begin());
  std::copy(saved.begin() + n, saved.begin() + 2 * n, expire_deltas_.begin());
  std::copy(saved.begin() + 2 * n, saved.begin() + 3 * n, bytes_deltas_.begin());
  save_depth_ = p.depth;
}

void Keyspace::copy_prior_into_batch() {
  const Keyspace* earlier = prior();
  if (earlier == nullptr) return;
  auto& engine = *shared_.engine;
  auto copy = [&](const GroupRecords& mine, const GroupRecords& theirs,
                  rocksdb::ColumnFamilyHandle* cf) {
    for (const auto& [key, rec] : theirs) {
      if (mine.contains(key)) continue;  // (this group's state is the newer one)
      if (rec.present)
        batch_->Put(cf, key, rec.value);
      else
        batch_->Delete(cf, key);
    }
  };
  // (Written again with this group: the same state the group in flight leaves.)
  copy(written_, earlier->written_, engine.data_cf());
  copy(sub_written_, earlier->sub_written_, engine.sub_cf());
}

void Keyspace::release(const SavePoint& p) {
  if (!batch_) return;
  batch_->PopSavePoint();
  save_depth_ = p.depth;
  serial_ = p.outer_serial;
  if (save_depth_ == 0) undo_size_ = 0;
}

}  // namespace basalt::core
