// storage/types/key_access.h — the one narrow view of the keyspace the type stores work
// through (storage/types/*): look a key's record up in a db, write or remove that record,
// and read / write / iterate the element sub-keys of a collection inside the current write
// batch. core::Keyspace implements it; the stores know nothing else of the node (no
// commands, no replies, no replication stream, no statistics beyond what lookup counts).
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/record.h"

namespace basalt::storage::types {

class PopPools;
class WalkDebts;

// A key's record as looked up in one view.
struct Lookup {
  bool present = false;  // stored (maybe logically expired)
  bool live = false;     // stored and not expired: what commands see
  RecordView record;
  std::string raw;
  bool is(ValueType t) const { return live && record.type == t; }
};

// Why a key is looked up. Read: a command reading it (counted as a keyspace hit or miss);
// Write: inside a write group (an expired key is deleted first, so present == live).
enum class Access { Read, Write };

class KeyAccess {
 public:
  virtual ~KeyAccess() = default;

  // Looks `key` of `db` up as `access` says (see Access).
  virtual void open_key(uint16_t db, std::string_view key, Access access, Lookup& out) = 0;
  // Writes the key's record (type, expiry, payload); `old` is this view's lookup of the same
  // key. A collection record whose version changes drops the old version's elements.
  virtual void put(uint16_t db, std::string_view key, ValueType type, uint64_t expire_at_ms,
                   std::string_view payload, const Lookup& old) = 0;
  // Removes the key (record, TTL and elements) if `old` says it is stored.
  virtual void remove(uint16_t db, std::string_view key, const Lookup& old) = 0;

  // Collection elements, addressed by (db, key, version, element part); reads see the
  // current batch's own writes. A part written or deleted as WalkedOnly is never read by
  // sub_get, only walked by iterators (the sorted sets' score-index entries): the node's
  // element cache, which serves sub_get, keeps none of them.
  enum class PartReads { ByPart, WalkedOnly };
  virtual bool sub_get(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                       std::string& value) = 0;
  virtual void sub_put(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                       std::string_view value, PartReads reads = PartReads::ByPart) = 0;
  virtual void sub_delete(uint16_t db, std::string_view key, uint64_t version,
                          std::string_view part, PartReads reads = PartReads::ByPart) = 0;
  // An iterator over the elements of (db, key, version), seeing the batch's writes; `prefix`
  // receives the sub-key prefix to strip and to stop at (it->key().starts_with(prefix)). A
  // read error throws (storage::ReadError) rather than ending the walk early.
  virtual std::unique_ptr<rocksdb::Iterator> sub_iterate(uint16_t db, std::string_view key,
                                                         uint64_t version, std::string& prefix) = 0;
  // The same, confined to the parts in [lower, upper) (element parts, without the prefix):
  // the database side of the iterator never steps outside them, so it crosses none of the
  // tombstones there (RocksDB's iterate bounds). An empty bound is none. Only a hint: a view
  // may ignore it, so the caller still checks what it finds, and must know that nothing live
  // lies outside.
  virtual std::unique_ptr<rocksdb::Iterator> sub_iterate_within(uint16_t db, std::string_view key,
                                                                uint64_t version,
                                                                std::string& prefix,
                                                                std::string_view lower,
                                                                std::string_view upper) {
    (void)lower;
    (void)upper;
    return sub_iterate(db, key, version, prefix);
  }
  // A fresh collection version (never reused for the same key).
  virtual uint64_t new_version() = 0;
  // SPOP's pools of random picks (pop_pool.h), or null: views that may not keep them (read
  // views, heavy jobs off the event loop) draw every pick afresh.
  virtual PopPools* pop_pools() { return nullptr; }
  // What walks have crossed of each collection's tombstones (walk_debt.h), or null: a view
  // without it never copies a collection to drop its tombstones.
  virtual WalkDebts* walk_debts() { return nullptr; }
};

}  // namespace basalt::storage::types
