// storage/meta.h — the persisted replication state and per-database key counts (keys, keys
// with a TTL, dataset bytes), kept
// in the meta column family and always written in the same batch as the data (S1).
#pragma once

#include <rocksdb/write_batch_base.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/engine.h"

namespace basalt::storage {

struct ReplMeta {
  std::string replid;  // 40 hex chars
  std::string replid2 = std::string(40, '0');
  int64_t second_replid_offset = -1;
  uint64_t master_repl_offset = 0;  // bytes of replication stream so far
  std::string role = "master";      // "master" or "replica"
  std::string master_host;
  int master_port = 0;
  int64_t stream_db = 0;     // db selected at master_repl_offset in the stream
  bool synced = false;       // this history came from (or was served to) a peer
  bool has_history = false;  // true once the directory held any meta
};

// Meta that can't be read or makes no sense (a read error, a value of the wrong size, a
// directory from a newer basalt): the node must refuse to start, never reset it.
class MetaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the meta column family. A fresh directory gets a new random replid (not yet stored).
// Throws MetaError (so do the loaders below) rather than guess.
ReplMeta load_repl_meta(Engine& engine);
std::vector<uint64_t> load_key_counts(Engine& engine, size_t databases);
// Per-db number of keys with a TTL (INFO keyspace expires=); nullopt for a directory written
// before basalt kept it.
std::optional<std::vector<uint64_t>> load_expire_counts(Engine& engine, size_t databases);
// Per-db logical dataset bytes (storage/dataset_size.h, INFO used_memory); nullopt for a
// directory written before basalt kept them (the node then recounts once).
std::optional<std::vector<uint64_t>> load_dataset_bytes(Engine& engine, size_t databases);

void put_repl_meta(rocksdb::WriteBatchBase& batch, Engine& engine, const ReplMeta& meta);
// The role part of the meta only (replids, second offset, role, master address, synced): never
// the offset or the stream db, which only write groups advance, so it may be written at any
// time without moving the dataset's recorded offset.
void put_role_meta(rocksdb::WriteBatchBase& batch, Engine& engine, const ReplMeta& meta);
void put_offset(rocksdb::WriteBatchBase& batch, Engine& engine, uint64_t master_repl_offset);
void put_stream_db(rocksdb::WriteBatchBase& batch, Engine& engine, int64_t db);
void put_key_count(rocksdb::WriteBatchBase& batch, Engine& engine, uint16_t db, uint64_t count);
void put_expire_count(rocksdb::WriteBatchBase& batch, Engine& engine, uint16_t db, uint64_t count);
void put_dataset_bytes(rocksdb::WriteBatchBase& batch, Engine& engine, uint16_t db, uint64_t bytes);

std::string random_replid();

}  // namespace basalt::storage
