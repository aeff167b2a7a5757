// storage/memtable_rep.h — basalt's memtable representation for RocksDB (options'
// memtable_factory): a skiplist of the memtable's entries, one writer, readers without locks.
// Debian's librocksdb is built with its assertions on, and its own skiplist checks the order
// of the nodes around every step of a search with two more key comparisons: a memtable insert
// cost about three times the comparisons it needs (callgrind, random-member SADD `-P 16`: 38
// key comparisons per insert inside RocksDB's skiplist, about half of all the instructions
// the node spent). This one is the same kind of list (towers of links, each level a quarter
// of the one below; an entry's links stored just before its key in the memtable's arena),
// compiled with basalt, without those checks.
//
// RocksDB's contract for a MemTableRep: one thread inserts at a time (the DB's write path;
// allow_concurrent_memtable_write must be off), while any number of readers (point lookups,
// iterators, the flush) walk the list: a new entry's links are set before it is published
// with a release store, and readers load links with acquire. Entries are never removed or
// changed. Duplicate keys do not occur (every entry carries its own sequence number).
#pragma once

#include <rocksdb/memtablerep.h>

#include <memory>

namespace basalt::storage {

// "basalt" (this skiplist) or "rocksdb" (RocksDB's own): the rocksdb-memtable setting.
std::shared_ptr<rocksdb::MemTableRepFactory> make_memtable_factory(bool basalt_skiplist);

}  // namespace basalt::storage
