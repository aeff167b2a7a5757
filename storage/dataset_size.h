// storage/dataset_size.h — what basalt counts as a key's memory: the logical size of the
// dataset that INFO reports as used_memory and that maxmemory caps (the data itself lives in
// RocksDB on disk, so the process's heap says nothing about how much data is held).
//
//   a key      = kKeyOverhead + key bytes + value bytes
//   value      : string: its bytes; hash: sum of (field + value + kElementOverhead);
//                set: sum of (member + kElementOverhead); list: sum of (element +
//                kElementOverhead); sorted set: sum of (member + 8 for the score +
//                kElementOverhead)
//
// The overheads stand for the per-entry bookkeeping any store pays (Redis's dictEntry and
// object headers are of this order), so that many tiny keys are not counted as almost free.
// A collection's element bytes are kept in its metadata record (CollectionMeta::bytes), so a
// key's size is a function of its top-level record alone: the keyspace adds and subtracts it
// as records are written and deleted, and a recount is one pass over the data column family.
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/collection.h"
#include "storage/record.h"

namespace basalt::storage {

inline constexpr uint64_t kKeyOverhead = 48;
inline constexpr uint64_t kElementOverhead = 16;
inline constexpr uint64_t kScoreBytes = 8;

// Bytes one collection element counts for: a hash field and its value, a set member (value
// empty), a list element (part empty), a sorted set member (value: its 8-byte score).
inline uint64_t element_bytes(size_t part, size_t value) {
  return kElementOverhead + part + value;
}

// Bytes a key with this record counts for (the record's collection metadata must be known:
// CollectionMeta::bytes_known).
inline uint64_t record_bytes(std::string_view key, const RecordView& record) {
  uint64_t value = record.payload.size();
  if (record.type != ValueType::String) {
    CollectionMeta::View meta;
    value = CollectionMeta::parse(record.payload, meta) ? meta.bytes : 0;
  }
  return kKeyOverhead + key.size() + value;
}

}  // namespace basalt::storage
