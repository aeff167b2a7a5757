// storage/function_store.h — where FUNCTION libraries are kept: in the data column family under
// a reserved database index (0xffff, beyond any configured database), one entry per library
// (name -> version byte + code). Living in the data family, they are written in the write
// group's batch with the replication-log bytes of the command that changed them (S1), travel
// with the dataset in full-sync snapshots, and are replaced with it when a replica swaps in a
// new generation; FLUSHALL's per-database range deletions never reach them.
#pragma once

#include <rocksdb/write_batch_base.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/engine.h"

namespace basalt::storage {

// True for a data family key that holds a function library (not a user key).
bool is_function_library_key(std::string_view raw_key);

void put_function_library(rocksdb::WriteBatchBase& batch, Engine& engine, std::string_view name,
                          std::string_view code);
void delete_function_library(rocksdb::WriteBatchBase& batch, Engine& engine, std::string_view name);

struct StoredLibrary {
  std::string name;
  std::string code;
};
// Every stored library of the active generation, in name order. Throws ReadError if reading
// failed, and std::runtime_error for an entry of an unknown version (never skips one).
std::vector<StoredLibrary> load_function_libraries(Engine& engine);

}  // namespace basalt::storage
