// node/core/keyspace.cpp — see keyspace.h (a write group's own records and save points:
// keyspace_group.cpp).
#include "node/core/keyspace.h"

#include <algorithm>
#include <chrono>

#include "node/core/overlay_iterator.h"
#include "storage/checked_iterator.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/dataset_size.h"

namespace basalt::core {

using storage::ValueType;

Keyspace::Keyspace(KeyspaceShared& shared, uint64_t now_ms) : shared_(shared), now_ms_(now_ms) {}

Keyspace::Keyspace(KeyspaceShared& shared, uint64_t now_ms, rocksdb::WriteBatchWithIndex& batch,
                   ReplStream& stream)
    : shared_(shared),
      now_ms_(now_ms),
      batch_(&batch),
      stream_(&stream),
      memo_stamp_(shared.element_memo.new_stamp()),
      count_deltas_(shared.key_counts.size(), 0),
      expire_deltas_(shared.key_counts.size(), 0),
      bytes_deltas_(shared.key_counts.size(), 0),
      flushed_(shared.key_counts.size(), false) {
  // Views built on a bare KeyspaceShared (tests) get zero TTL counts and bytes.
  if (shared.expire_counts.size() < shared.key_counts.size())
    shared.expire_counts.resize(shared.key_counts.size(), 0);
  if (shared.dataset_bytes.size() < shared.key_counts.size())
    shared.dataset_bytes.resize(shared.key_counts.size(), 0);
}

namespace {
// GetFromBatch's options (there is no merge operator to apply), built once.
const rocksdb::DBOptions& batch_only() {
  static const rocksdb::DBOptions options;
  return options;
}
}  // namespace

void Keyspace::read_raw(uint16_t db, std::string_view key, Lookup& out) {
  storage::encode_data_key(key_buf_, db, key);
  auto& engine = *shared_.engine;
  rocksdb::Status s;
  if (batch_ && through_index_) {
    // After a rollback: the batch's index knows every write of the group.
    if (flushed_[db])
      s = batch_->GetFromBatch(engine.data_cf(), batch_only(), key_buf_, &out.raw);
    else
      s = batch_->GetFromBatchAndDB(engine.db(), default_reads(), engine.data_cf(), key_buf_,
                                    &out.raw);
  } else if (auto it = batch_ ? written_.find(key_buf_) : written_.end(); it != written_.end()) {
    // The group wrote it: its record as it stands now (a put, or a delete: NotFound).
    if (it->second.present)
      out.raw.assign(it->second.value);
    else
      s = rocksdb::Status::NotFound();
  } else if (batch_ && flushed_[db]) {
    s = rocksdb::Status::NotFound();  // flushed by this group and not written since
  } else if (const GroupRecord* earlier = prior_written(prior(), &Keyspace::written_, key_buf_)) {
    // The group in flight wrote it: its state, which the caches do not hold yet.
    if (earlier->present)
      out.raw.assign(earlier->value);
    else
      s = rocksdb::Status::NotFound();
  } else if (snapshot_) {
    // A heavy read's snapshot: the cache holds the newest state, not the snapshot's.
    s = engine.db()->Get(read_options(), engine.data_cf(), key_buf_, &out.raw);
  } else {
    // Committed state: the record cache, else the database (which then fills the cache).
    auto& cache = shared_.record_cache;
    const uint64_t hash = RecordCache::hash(key_buf_);  // for the lookup and the fill
    switch (cache.find(key_buf_, hash, out.raw)) {
      case RecordCache::Hit::Present:
        break;
      case RecordCache::Hit::Absent:
        s = rocksdb::Status::NotFound();
        break;
      case RecordCache::Hit::Miss:
        // (A read-only view while a write is in flight: the published state, as cached.)
        s = engine.db()->Get(read_options(), engine.data_cf(), key_buf_, &out.raw);
        storage::found(s);  // throws on a read error: never cached, never taken as absent
        if (batch_) {
          // A write's own lookup: kept only while the cache has room (a bulk load of keys
          // nobody reads must not churn it).
          cache.put_if_room(key_buf_, hash, s.ok() ? std::string_view(out.raw) : std::string_view(),
                            s.ok());
        } else {
          cache.put(key_buf_, hash, s.ok() ? std::string_view(out.raw) : std::string_view(),
                    s.ok());
        }
        break;
    }
  }
  out.present = storage::found(s) && storage::decode_record(out.raw, out.record);
  out.live = out.present;
}

void Keyspace::lookup(uint16_t db, std::string_view key, Lookup& out) {
  saw_expired_ = false;
  read_raw(db, key, out);
  if (master_stream_) return;
  if (!out.present || out.record.live_at(now_ms_)) return;
  out.live = false;
  saw_expired_ = true;
  if (batch_ && shared_.active_expiry) {
    delete_stored(db, key, out);
    touch(db, key, true);
    std::string_view del[] = {"DEL", key};
    propagate(db, del);
    ++shared_.expired_keys;
    out.present = false;
  } else if (!batch_ && shared_.active_expiry && shared_.on_expired_read) {
    shared_.on_expired_read(db, key);
  }
}

void Keyspace::open_key(uint16_t db, std::string_view key, storage::types::Access access,
                        Lookup& out) {
  lookup(db, key, out);
  // lookup() left the encoded key in key_buf_.
  if (out.live && !master_stream_ && shared_.access.enabled())
    shared_.access.touch(key_buf_, now_ms_);
  if (access != storage::types::Access::Read) return;
  if (out.live)
    ++shared_.keyspace_hits;
  else
    ++shared_.keyspace_misses;
}

void Keyspace::put(uint16_t db, std::string_view key, ValueType type, uint64_t expire_at_ms,
                   std::string_view payload, const Lookup& old) {
  auto& engine = *shared_.engine;
  if (old.present && old.record.expire_at_ms && old.record.expire_at_ms != expire_at_ms) {
    batch_->Delete(engine.expiry_cf(), storage::expiry_key(old.record.expire_at_ms, db, key));
  }
  if (expire_at_ms && (!old.present || old.record.expire_at_ms != expire_at_ms)) {
    batch_->Put(engine.expiry_cf(), storage::expiry_key(expire_at_ms, db, key), "");
  }
  if (!old.present) ++count_deltas_[db];
  // Each collection's metadata is parsed once (nothing copied), for its bytes (as
  // storage::record_bytes counts them) and for whether the old elements stay.
  bool old_collection = old.present && old.record.type != ValueType::String;
  storage::CollectionMeta::View before, after;
  bool before_ok = old_collection && storage::CollectionMeta::parse(old.record.payload, before);
  bool after_ok = type != ValueType::String && storage::CollectionMeta::parse(payload, after);
  auto value_bytes = [](ValueType t, std::string_view p, bool decoded,
                        const storage::CollectionMeta::View& meta) -> uint64_t {
    if (t == ValueType::String) return p.size();
    return decoded ? meta.bytes : 0;
  };
  int64_t key_bytes = static_cast<int64_t>(storage::kKeyOverhead + key.size());
  bytes_deltas_[db] +=
      key_bytes + static_cast<int64_t>(value_bytes(type, payload, after_ok, after)) -
      (old.present ? key_bytes + static_cast<int64_t>(value_bytes(
                                     old.record.type, old.record.payload, before_ok, before))
                   : 0);
  expire_deltas_[db] += static_cast<int64_t>(expire_at_ms != 0) -
                        static_cast<int64_t>(old.present && old.record.expire_at_ms != 0);
  const bool same_collection = before_ok && after_ok && before.version == after.version;
  if (old_collection && !same_collection) drop_elements(db, key, old.record);
  if (after_ok && !same_collection && !new_versions_.empty()) note_created(db, key, after.version);
  storage::encode_record(record_buf_, type, expire_at_ms, payload);
  storage::encode_data_key(key_buf_, db, key);
  write_entry(written_, engine.data_cf(), true, record_buf_);
  if (!master_stream_ && shared_.access.enabled()) shared_.access.touch(key_buf_, now_ms_);
  touch(db, key);
}

void Keyspace::drop_elements(uint16_t db, std::string_view key, const storage::RecordView& old) {
  storage::CollectionMeta meta;
  if (old.type == ValueType::String || !storage::CollectionMeta::decode(old.payload, meta)) return;
  std::string begin, end;
  // The version dies here: none handed out from now on may equal it (the element cache may
  // still hold this version's elements, which must never be read as a new collection's).
  shared_.last_version = std::max(shared_.last_version, meta.version);
  storage::encode_sub_prefix(begin, db, key, meta.version);
  storage::encode_sub_prefix(end, db, key, meta.version + 1);
  // The element cache forgets the version at publish (created in this group: it never
  // learns of it).
  if (auto made = std::find(created_collections_.begin(), created_collections_.end(), begin);
      made != created_collections_.end())
    created_collections_.erase(made);
  else if (shared_.element_cache.complete(begin) ||
           (prior() != nullptr &&
            std::find(prior()->created_collections_.begin(), prior()->created_collections_.end(),
                      begin) != prior()->created_collections_.end()))
    dropped_collections_.push_back(begin);  // (the group in flight's: complete once published)
  // A range tombstone: O(1) however large the collection. The old version's elements are
  // never read again (the version is gone), so bypassing the batch index is safe.
  batch_->GetWriteBatch()->DeleteRange(shared_.engine->sub_cf(), begin, end);
  erase_range(sub_written_, begin, end);
}

void Keyspace::delete_stored(uint16_t db, std::string_view key, const Lookup& old) {
  auto& engine = *shared_.engine;
  drop_elements(db, key, old.record);
  if (old.record.expire_at_ms) {
    batch_->Delete(engine.expiry_cf(), storage::expiry_key(old.record.expire_at_ms, db, key));
  }
  storage::encode_data_key(key_buf_, db, key);
  write_entry(written_, engine.data_cf(), false, {});
  shared_.access.forget(key_buf_);
  --count_deltas_[db];
  bytes_deltas_[db] -= static_cast<int64_t>(storage::record_bytes(key, old.record));
  if (old.record.expire_at_ms) --expire_deltas_[db];
}

void Keyspace::remove(uint16_t db, std::string_view key, const Lookup& old) {
  if (old.present) {
    delete_stored(db, key, old);
    touch(db, key);
  }
}

void Keyspace::flush(int db) {
  auto& engine = *shared_.engine;
  auto* raw = batch_->GetWriteBatch();
  if (shared_.watches) {
    shared_.watches->flushed(db, [this](uint16_t d, std::string_view key) {
      Lookup l;
      read_raw(d, key, l);
      return l.present;
    });
  }
  index_records();  // the loop below deletes what the group wrote through the index
  auto flush_one = [&](uint16_t d) {
    std::string begin = storage::data_prefix(d);
    std::string end = storage::data_prefix(static_cast<uint16_t>(d + 1));
    if (d == 0xffff) end = std::string("\xff\xff\xff", 3);
    // Keys this group already wrote are deleted through the index, so later commands of
    // the group (a transaction) don't see them; the range deletion covers the stored ones.
    for (auto* cf : {engine.data_cf(), engine.sub_cf()}) {
      std::vector<std::string> written;
      std::unique_ptr<rocksdb::WBWIIterator> wit(batch_->NewIterator(cf));
      for (wit->Seek(begin); wit->Valid() && wit->Entry().key.compare(end) < 0; wit->Next())
        written.push_back(wit->Entry().key.ToString());
      for (const auto& k : written) batch_->Delete(cf, k);
    }
    raw->DeleteRange(engine.data_cf(), begin, end);
    raw->DeleteRange(engine.sub_cf(), begin, end);
    // Reads of the flushed db now find only what the group writes after this.
    erase_range(written_, begin, end);
    erase_range(sub_written_, begin, end);
    flushed_[d] = true;
    clear_cache_ = true;
    shared_.access.clear();
    count_deltas_[d] = -static_cast<int64_t>(shared_.key_counts[d]);
    expire_deltas_[d] = -static_cast<int64_t>(shared_.expire_counts[d]);
    bytes_deltas_[d] = -static_cast<int64_t>(shared_.dataset_bytes[d]);
  };
  if (db < 0) {
    for (size_t d = 0; d < databases(); ++d) flush_one(static_cast<uint16_t>(d));
    raw->DeleteRange(engine.expiry_cf(), std::string(), std::string(18, '\xff'));
  } else {
    // Expiry entries of this db stay behind; the expiry cycle drops them when it meets them.
    flush_one(static_cast<uint16_t>(db));
  }
}

bool Keyspace::expire_if_needed(uint16_t db, std::string_view key) {
  Lookup l;
  read_raw(db, key, l);
  if (!l.present || l.record.live_at(now_ms_)) return false;
  delete_stored(db, key, l);
  touch(db, key, true);
  std::string_view del[] = {"DEL", key};
  propagate(db, del);
  ++shared_.expired_keys;
  return true;
}

bool Keyspace::sub_get(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                       std::string& value) {
  storage::encode_sub_prefix(key_buf_, db, key, version);
  key_buf_.append(part);
  auto& engine = *shared_.engine;
  rocksdb::Status s;
  if (batch_ && through_index_) {
    if (flushed_[db])
      s = batch_->GetFromBatch(engine.sub_cf(), batch_only(), key_buf_, &value);
    else
      s = batch_->GetFromBatchAndDB(engine.db(), default_reads(), engine.sub_cf(), key_buf_,
                                    &value);
  } else if (auto it = batch_ ? sub_written_.find(key_buf_) : sub_written_.end();
             it != sub_written_.end()) {
    if (!it->second.present) return false;
    value.assign(it->second.value);
    return true;
  } else if (batch_ && flushed_[db]) {
    return false;
  } else if (const GroupRecord* earlier =
                 prior_written(prior(), &Keyspace::sub_written_, key_buf_)) {
    // An element the group in flight wrote (not memoized: the caches will hold it).
    if (!earlier->present) return false;
    value.assign(earlier->value);
    return true;
  } else if (batch_ && !snapshot_) {
    // Committed state, as this group read it before, or from the element cache or database.
    auto& memo = shared_.element_memo;
    const auto memoized = memo.find(memo_stamp_, key_buf_, value);
    if (memoized != ElementMemo::Hit::Miss) return memoized == ElementMemo::Hit::Present;
    const bool present = read_committed_element(value);
    memo.put(memo_stamp_, key_buf_, value, present);
    return present;
  } else if (!snapshot_) {
    // A read-only view (while a write is in flight: the published state, as cached).
    return read_committed_element(value);
  } else {
    s = engine.db()->Get(read_options(), engine.sub_cf(), key_buf_, &value);
  }
  return storage::found(s);
}

bool Keyspace::read_committed_element(std::string& value) {
  auto& engine = *shared_.engine;
  auto& cache = shared_.element_cache;
  if (!cache.enabled())
    return storage::found(engine.db()->Get(read_options(), engine.sub_cf(), key_buf_, &value));
  const uint64_t hash = RecordCache::hash(key_buf_);
  const auto cached = cache.find(key_buf_, hash, value);
  if (cached != RecordCache::Hit::Miss) return cached == RecordCache::Hit::Present;
  rocksdb::Status s = engine.db()->Get(read_options(), engine.sub_cf(), key_buf_, &value);
  const bool present = storage::found(s);  // throws on a read error: never cached
  // (Unlike a record, an element a write looks up evicts older ones: the element cache is
  // there for the writes of collection commands, which look each element up first.)
  cache.put(key_buf_, hash, present ? std::string_view(value) : std::string_view(), present);
  return present;
}

void Keyspace::sub_put(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                       std::string_view value, PartReads reads) {
  storage::encode_sub_prefix(key_buf_, db, key, version);
  key_buf_.append(part);
  write_entry(sub_written_, shared_.engine->sub_cf(), true, value, reads == PartReads::WalkedOnly);
  touch(db, key);
}

void Keyspace::sub_delete(uint16_t db, std::string_view key, uint64_t version,
                          std::string_view part, PartReads reads) {
  storage::encode_sub_prefix(key_buf_, db, key, version);
  key_buf_.append(part);
  write_entry(sub_written_, shared_.engine->sub_cf(), false, {}, reads == PartReads::WalkedOnly);
  touch(db, key);
}

namespace {
// The iterate bounds of one iterator, freed with it (rocksdb::Cleanable): RocksDB reads them
// through pointers for as long as the iterator lives.
struct OwnedBounds {
  std::string lower, upper;
  rocksdb::Slice lower_slice, upper_slice;
};
void free_bounds(void* bounds, void*) {
  delete static_cast<OwnedBounds*>(bounds);
}
}  // namespace

std::unique_ptr<rocksdb::Iterator> Keyspace::sub_iterate(uint16_t db, std::string_view key,
                                                         uint64_t version, std::string& prefix) {
  return sub_iterate_within(db, key, version, prefix, {}, {});
}

std::unique_ptr<rocksdb::Iterator> Keyspace::sub_iterate_within(uint16_t db, std::string_view key,
                                                                uint64_t version,
                                                                std::string& prefix,
                                                                std::string_view lower,
                                                                std::string_view upper) {
  storage::encode_sub_prefix(prefix, db, key, version);
  auto& engine = *shared_.engine;
  rocksdb::Iterator* base = nullptr;
  if (batch_ && flushed_[db]) {
    base = rocksdb::NewEmptyIterator();
  } else if (lower.empty() && upper.empty()) {
    base = engine.db()->NewIterator(read_options(), engine.sub_cf());
  } else {
    auto* bounds = new OwnedBounds;
    rocksdb::ReadOptions options = read_options();
    if (!lower.empty()) {
      bounds->lower.append(prefix).append(lower);
      bounds->lower_slice = bounds->lower;
      options.iterate_lower_bound = &bounds->lower_slice;
    }
    if (!upper.empty()) {
      bounds->upper.append(prefix).append(upper);
      bounds->upper_slice = bounds->upper;
      options.iterate_upper_bound = &bounds->upper_slice;
    }
    base = engine.db()->NewIterator(options, engine.sub_cf());
    base->RegisterCleanup(free_bounds, bounds, nullptr);
  }
  // Checked: a read error ends the command with an error, never a shorter collection.
  if (!batch_) return storage::checked(base);
  // The group in flight's elements, which the store may not hold yet, under this group's.
  if (const Keyspace* earlier = prior(); earlier && !flushed_[db])
    base = new OverlayIterator<GroupRecords>(std::unique_ptr<rocksdb::Iterator>(base),
                                             earlier->sub_written_);
  // Every element write of the group is in sub_written_ (until a rollback): overlaid on the
  // database, no batch index is needed (indexing cost a pop of a sorted set a skiplist
  // insert per record, and wrote each record into the batch twice).
  if (!through_index_)
    return storage::checked(
        new OverlayIterator<GroupRecords>(std::unique_ptr<rocksdb::Iterator>(base), sub_written_));
  return storage::checked(batch_->NewIteratorWithBase(engine.sub_cf(), base));
}

uint64_t Keyspace::new_version() {
  using namespace std::chrono;
  auto now = static_cast<uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
  shared_.last_version = std::max(shared_.last_version + 1, now);
  if (batch_ && shared_.element_cache.enabled()) new_versions_.push_back(shared_.last_version);
  return shared_.last_version;
}

void Keyspace::note_created(uint16_t db, std::string_view key, uint64_t version) {
  if (std::find(new_versions_.begin(), new_versions_.end(), version) == new_versions_.end())
    return;  // (a version this view did not hand out may have elements stored already)
  storage::encode_sub_prefix(created_collections_.emplace_back(), db, key, version);
}

void Keyspace::copy_value(uint16_t src_db, std::string_view src_key, const Lookup& src,
                          uint16_t dst_db, std::string_view dst_key, const Lookup& dst_old) {
  storage::CollectionMeta meta;
  if (src.record.type == ValueType::String ||
      !storage::CollectionMeta::decode(src.record.payload, meta)) {
    put(dst_db, dst_key, src.record.type, src.record.expire_at_ms, src.record.payload, dst_old);
    return;
  }
  uint64_t old_version = meta.version;
  meta.version = new_version();
  std::string prefix;
  // Collect first: the batch must not change under its own iterator.
  std::vector<std::pair<std::string, std::string>> elements;
  {
    auto it = sub_iterate(src_db, src_key, old_version, prefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      elements.emplace_back(
          std::string(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
          it->value().ToString());
    }
  }
  for (const auto& [part, value] : elements) sub_put(dst_db, dst_key, meta.version, part, value);
  put(dst_db, dst_key, src.record.type, src.record.expire_at_ms, meta.encode(), dst_old);
}

void Keyspace::publish_to_cache() {
  auto& cache = shared_.record_cache;
  auto& elements = shared_.element_cache;
  if (clear_cache_) {
    cache.clear();
    elements.clear();
    return;
  }
  if (!batch_) return;
  // With random keys each update of a cache reads a slot and an entry nowhere near the last
  // ones: every slot is asked for first, and each entry a few keys ahead of its update, so
  // the misses overlap instead of queueing (a pop's two element updates waited on them for
  // a tenth of ZPOPMIN's time).
  constexpr size_t kAhead = 4;
  static thread_local std::vector<uint64_t> hashes;  // (kept: no allocation per group)
  // update(table, key, hash, value, present) for each of `records`, in order, but for the
  // elements never read by their part (a sorted set's score-index entries: no cache keeps
  // them).
  auto update_all = [&](const GroupRecords& records, auto& table, auto update) {
    hashes.clear();
    for (const auto& [key, rec] : records) {
      if (rec.walked_only) continue;
      hashes.push_back(table.hash(key));
      table.prefetch_slot(hashes.back());
    }
    size_t i = 0;
    for (const auto& [key, rec] : records) {
      if (rec.walked_only) continue;
      if (i + kAhead < hashes.size()) table.prefetch_entry(hashes[i + kAhead]);
      update(key, hashes[i++], rec.present ? std::string_view(rec.value) : std::string_view(),
             rec.present);
    }
  };
  if (elements.enabled()) {
    for (const auto& prefix : dropped_collections_) elements.drop(prefix);
    for (const auto& prefix : created_collections_) elements.created(prefix);
    update_all(sub_written_, elements, [&](auto key, uint64_t hash, auto value, bool present) {
      elements.store_written(key, hash, value, present);
    });
  }
  // Only what readers brought in is kept current.
  if (cache.enabled()) {
    update_all(written_, cache, [&](auto key, uint64_t hash, auto value, bool present) {
      cache.update_if_cached(key, hash, value, present);
    });
  }
}

void Keyspace::propagate(uint16_t db, std::span<const std::string_view> args) {
  if (stream_ && propagation_ && !master_stream_) stream_->append(db, args);
}

std::unique_ptr<rocksdb::Iterator> Keyspace::iterate_expiry() {
  auto& engine = *shared_.engine;
  rocksdb::Iterator* base = engine.db()->NewIterator(read_options(), engine.expiry_cf());
  if (!batch_) return storage::checked(base);
  return storage::checked(batch_->NewIteratorWithBase(engine.expiry_cf(), base));
}

uint64_t Keyspace::dataset_bytes() const {
  int64_t total = 0;
  for (size_t db = 0; db < shared_.dataset_bytes.size(); ++db) {
    int64_t n = static_cast<int64_t>(shared_.dataset_bytes[db]);
    if (db < bytes_deltas_.size()) n += bytes_deltas_[db];
    if (const Keyspace* earlier = prior(); earlier && db < earlier->bytes_deltas_.size())
      n += earlier->bytes_deltas_[db];
    total += n < 0 ? 0 : n;
  }
  return static_cast<uint64_t>(total);
}

uint64_t Keyspace::dbsize(uint16_t db) const {
  int64_t n = static_cast<int64_t>(shared_.key_counts[db]);
  if (!count_deltas_.empty()) n += count_deltas_[db];
  if (const Keyspace* earlier = prior(); earlier && !earlier->count_deltas_.empty())
    n += earlier->count_deltas_[db];
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}

std::unique_ptr<rocksdb::Iterator> Keyspace::iterate(uint16_t db) {
  auto& engine = *shared_.engine;
  if (batch_) index_records();
  rocksdb::Iterator* base = batch_ && flushed_[db]
                                ? rocksdb::NewEmptyIterator()
                                : engine.db()->NewIterator(read_options(), engine.data_cf());
  // Checked: a read error ends the command with an error, never a shorter keyspace.
  if (!batch_) return storage::checked(base);
  if (const Keyspace* earlier = prior(); earlier && !flushed_[db])
    base = new OverlayIterator<GroupRecords>(std::unique_ptr<rocksdb::Iterator>(base),
                                             earlier->written_);
  return storage::checked(batch_->NewIteratorWithBase(engine.data_cf(), base));
}

}  // namespace basalt::core
