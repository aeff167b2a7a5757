// storage/memtable_hints.h — the memtable insert hints of the data and element families
// (RocksDB's memtable_insert_with_hint_prefix_extractor, set in Engine::open). A memtable
// insert reuses the previous insert's place in the skiplist (its "splice") only if the new key
// falls right next to it, else it walks down from the top level; with a hint RocksDB climbs
// only as high as the gap from the previous insert of the same prefix needs. A group's
// records and element writes reach the batch in key order (Keyspace::stage_records), so one
// hint per db (its 2-byte prefix) lets random-key writes walk far less of the list.
//
// A range deletion must never take a hint: RocksDB 7.8 keeps one hint table per memtable for
// both its point and its range-deletion skiplists, and a splice of one used in the other
// corrupts it (a debug librocksdb asserts in ExtractUserKey). So each hint leaves out of its
// domain every key a range deletion of its family can begin with.
#pragma once

#include <rocksdb/slice_transform.h>

#include <memory>

namespace basalt::storage {

// The data family's: keys longer than the 2-byte db prefix. Its range deletions (FLUSHDB,
// FLUSHALL) begin at a db prefix: any DeleteRange on the data family must begin with a key of
// at most 2 bytes.
std::shared_ptr<const rocksdb::SliceTransform> make_record_hint();

// The element family's: element keys, a collection's prefix (db, key length, key, version:
// encode_sub_prefix) followed by a non-empty part. Its range deletions begin at a bare
// collection prefix (a dropped collection) or at a db prefix (a flush); an element whose
// part is empty looks like a bare prefix, and just takes no hint.
std::shared_ptr<const rocksdb::SliceTransform> make_element_hint();

}  // namespace basalt::storage
