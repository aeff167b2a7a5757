// node/core/keyspace.cpp — see keyspace.h.
#include "node/core/keyspace.h"

#include "storage/codec.h"

namespace basalt::core {

using storage::ValueType;

Keyspace::Keyspace(KeyspaceShared& shared, uint64_t now_ms) : shared_(shared), now_ms_(now_ms) {}

Keyspace::Keyspace(KeyspaceShared& shared, uint64_t now_ms, rocksdb::WriteBatchWithIndex& batch,
                   ReplStream& stream)
    : shared_(shared),
      now_ms_(now_ms),
      batch_(&batch),
      stream_(&stream),
      count_deltas_(shared.key_counts.size(), 0),
      flushed_(shared.key_counts.size(), false) {}

void Keyspace::read_raw(uint16_t db, std::string_view key, Lookup& out) {
  storage::encode_data_key(key_buf_, db, key);
  auto& engine = *shared_.engine;
  rocksdb::Status s;
  if (!batch_) {
    s = engine.db()->Get(rocksdb::ReadOptions(), engine.data_cf(), key_buf_, &out.raw);
  } else if (flushed_[db]) {
    s = batch_->GetFromBatch(engine.data_cf(), rocksdb::DBOptions(), key_buf_, &out.raw);
  } else {
    s = batch_->GetFromBatchAndDB(engine.db(), rocksdb::ReadOptions(), engine.data_cf(), key_buf_,
                                  &out.raw);
  }
  out.present = s.ok() && storage::decode_record(out.raw, out.record);
  out.live = out.present;
}

void Keyspace::lookup(uint16_t db, std::string_view key, Lookup& out) {
  saw_expired_ = false;
  read_raw(db, key, out);
  if (!out.present || out.record.expire_at_ms == 0 || out.record.expire_at_ms > now_ms_) return;
  out.live = false;
  saw_expired_ = true;
  if (batch_ && shared_.active_expiry) {
    delete_stored(db, key, out);
    std::string_view del[] = {"DEL", key};
    propagate(db, del);
    ++shared_.expired_keys;
    out.present = false;
  } else if (!batch_ && shared_.active_expiry && shared_.on_expired_read) {
    shared_.on_expired_read(db, key);
  }
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
  std::string record;
  storage::encode_record(record, type, expire_at_ms, payload);
  storage::encode_data_key(key_buf_, db, key);
  batch_->Put(engine.data_cf(), key_buf_, record);
}

void Keyspace::delete_stored(uint16_t db, std::string_view key, const Lookup& old) {
  auto& engine = *shared_.engine;
  if (old.record.expire_at_ms) {
    batch_->Delete(engine.expiry_cf(), storage::expiry_key(old.record.expire_at_ms, db, key));
  }
  storage::encode_data_key(key_buf_, db, key);
  batch_->Delete(engine.data_cf(), key_buf_);
  --count_deltas_[db];
}

void Keyspace::remove(uint16_t db, std::string_view key, const Lookup& old) {
  if (old.present) delete_stored(db, key, old);
}

void Keyspace::flush(int db) {
  auto& engine = *shared_.engine;
  auto* raw = batch_->GetWriteBatch();
  auto flush_one = [&](uint16_t d) {
    std::string begin = storage::data_prefix(d);
    std::string end = storage::data_prefix(static_cast<uint16_t>(d + 1));
    if (d == 0xffff) end = std::string("\xff\xff\xff", 3);
    // The pipeline starts a fresh group before a flush, so the batch holds nothing older.
    raw->DeleteRange(engine.data_cf(), begin, end);
    flushed_[d] = true;
    count_deltas_[d] = -static_cast<int64_t>(shared_.key_counts[d]);
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
  if (!l.present || l.record.expire_at_ms == 0 || l.record.expire_at_ms > now_ms_) return false;
  delete_stored(db, key, l);
  std::string_view del[] = {"DEL", key};
  propagate(db, del);
  ++shared_.expired_keys;
  return true;
}

void Keyspace::propagate(uint16_t db, std::span<const std::string_view> args) {
  if (stream_) stream_->append(db, args);
}

uint64_t Keyspace::dbsize(uint16_t db) const {
  int64_t n = static_cast<int64_t>(shared_.key_counts[db]);
  if (!count_deltas_.empty()) n += count_deltas_[db];
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}

std::unique_ptr<rocksdb::Iterator> Keyspace::iterate(uint16_t db) {
  auto& engine = *shared_.engine;
  rocksdb::Iterator* base = batch_ && flushed_[db]
                                ? rocksdb::NewEmptyIterator()
                                : engine.db()->NewIterator(rocksdb::ReadOptions(), engine.data_cf());
  if (!batch_) return std::unique_ptr<rocksdb::Iterator>(base);
  return std::unique_ptr<rocksdb::Iterator>(batch_->NewIteratorWithBase(engine.data_cf(), base));
}

}  // namespace basalt::core
