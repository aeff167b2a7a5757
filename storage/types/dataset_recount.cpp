// storage/types/dataset_recount.cpp — see dataset_recount.h.
#include "storage/types/dataset_recount.h"

#include <memory>

#include "storage/checked_iterator.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/dataset_size.h"
#include "storage/meta.h"
#include "storage/record.h"
#include "storage/types/zset_encoding.h"

namespace basalt::storage::types {

namespace {

// The element bytes of one stored sub-key entry of a `type` collection (0 for entries that
// are not elements of their own: a sorted set's score index).
uint64_t entry_bytes(ValueType type, std::string_view part, std::string_view value) {
  switch (type) {
    case ValueType::Hash:
      return element_bytes(part.size(), value.size());
    case ValueType::Set:
      return element_bytes(part.size(), 0);
    case ValueType::List:
      return element_bytes(0, value.size());
    case ValueType::ZSet:
      if (part.empty() || part[0] != zset::kMemberTag) return 0;
      return element_bytes(part.size() - 1, kScoreBytes);
    case ValueType::String:
      break;
  }
  return 0;
}

uint64_t sum_elements(Engine& engine, uint16_t db, std::string_view key, ValueType type,
                      uint64_t version) {
  std::string prefix;
  encode_sub_prefix(prefix, db, key, version);
  auto it = checked(engine.db()->NewIterator(rocksdb::ReadOptions(), engine.sub_cf()));
  uint64_t bytes = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view part(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    bytes += entry_bytes(type, part, std::string_view(it->value().data(), it->value().size()));
  }
  return bytes;
}

}  // namespace

bool recount_dataset(Engine& engine, size_t databases, DatasetRecount& out, std::string& error) {
  out = DatasetRecount{};
  out.bytes.assign(databases, 0);
  rocksdb::WriteBatch batch;
  try {
    auto it = checked(engine.db()->NewIterator(rocksdb::ReadOptions(), engine.data_cf()));
    std::string upgraded;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint16_t db;
      std::string_view key;
      RecordView record;
      std::string_view raw_key(it->key().data(), it->key().size());
      std::string_view raw(it->value().data(), it->value().size());
      if (!decode_data_key(raw_key, db, key) || !decode_record(raw, record) || db >= databases)
        continue;
      ++out.keys;
      CollectionMeta meta;
      if (record.type != ValueType::String && CollectionMeta::decode(record.payload, meta) &&
          !meta.bytes_known) {
        meta.bytes = sum_elements(engine, db, key, record.type, meta.version);
        meta.bytes_known = true;
        encode_record(upgraded, record.type, record.expire_at_ms, meta.encode());
        batch.Put(engine.data_cf(), it->key(), upgraded);
        ++out.upgraded;
        out.bytes[db] += kKeyOverhead + key.size() + meta.bytes;
        continue;
      }
      out.bytes[db] += record_bytes(key, record);
    }
  } catch (const ReadError& e) {
    error = std::string("reading the dataset failed: ") + e.what();
    return false;
  }
  for (size_t db = 0; db < databases; ++db)
    put_dataset_bytes(batch, engine, static_cast<uint16_t>(db), out.bytes[db]);
  rocksdb::Status s = engine.write(&batch, true);
  if (!s.ok()) {
    error = "can't write to the data directory: " + s.ToString();
    return false;
  }
  return true;
}

}  // namespace basalt::storage::types
