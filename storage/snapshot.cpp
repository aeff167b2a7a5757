// storage/snapshot.cpp — see snapshot.h.
#include "storage/snapshot.h"

#include <stdexcept>
#include <string>

#include "storage/codec.h"
#include "storage/dataset_size.h"
#include "storage/function_store.h"
#include "storage/meta.h"
#include "storage/record.h"

namespace basalt::storage {

SnapshotScan::SnapshotScan(Engine& engine)
    : engine_(engine),
      snapshot_(engine.db()->GetSnapshot()),
      families_{engine.data_cf(), engine.sub_cf()} {}

SnapshotScan::~SnapshotScan() {
  it_.reset();
  engine_.db()->ReleaseSnapshot(snapshot_);
}

bool SnapshotScan::valid() {
  while (phase_ < 2) {
    if (!it_) {
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot_;
      ro.fill_cache = false;
      it_.reset(engine_.db()->NewIterator(ro, families_[phase_]));
      it_->SeekToFirst();
    }
    if (it_->Valid()) return true;
    if (!it_->status().ok())
      throw std::runtime_error("reading the snapshot failed: " + it_->status().ToString());
    it_.reset();
    ++phase_;
  }
  return false;
}

SnapshotLoad::SnapshotLoad(Engine& engine, const Engine::Generation& staged, size_t databases)
    : engine_(engine),
      staged_(staged),
      counts_(databases, 0),
      expires_(databases, 0),
      bytes_(databases, 0) {}

void SnapshotLoad::add(SnapshotFamily family, std::string_view key, std::string_view value) {
  rocksdb::Slice k(key.data(), key.size());
  rocksdb::Slice v(value.data(), value.size());
  if (family == SnapshotFamily::Sub) {
    batch_.Put(staged_.sub, k, v);
    return;
  }
  batch_.Put(staged_.data, k, v);
  if (is_function_library_key(key)) return;  // not a key: nothing derived to rebuild
  uint16_t db;
  std::string_view user_key;
  RecordView rec;
  if (decode_data_key(key, db, user_key) && decode_record(value, rec)) {
    if (db < counts_.size()) {
      ++counts_[db];
      bytes_[db] += record_bytes(user_key, rec);
    }
    if (rec.expire_at_ms) {
      batch_.Put(staged_.expiry, expiry_key(rec.expire_at_ms, db, user_key), "");
      if (db < expires_.size()) ++expires_[db];
    }
  }
}

bool SnapshotLoad::write() {
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  bool ok = engine_.db()->Write(wo, &batch_).ok();
  batch_.Clear();
  return ok;
}

bool SnapshotLoad::flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return engine_.db()->Flush(fo, {staged_.data, staged_.expiry, staged_.sub}).ok();
}

void SnapshotLoad::put_counts(rocksdb::WriteBatch& batch) const {
  for (size_t db = 0; db < counts_.size(); ++db) {
    put_key_count(batch, engine_, static_cast<uint16_t>(db), counts_[db]);
    put_expire_count(batch, engine_, static_cast<uint16_t>(db), expires_[db]);
    put_dataset_bytes(batch, engine_, static_cast<uint16_t>(db), bytes_[db]);
  }
}

}  // namespace basalt::storage
