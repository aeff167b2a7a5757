// storage/types/dataset_recount.h — counts the dataset's logical bytes per db
// (storage/dataset_size.h) in one pass over the data column family, for a directory written
// before basalt kept them. Collection records from before CollectionMeta::bytes are upgraded
// on the way: their elements are summed once and the record is rewritten with the sum. The
// upgraded records and the per-db byte counts are written in one batch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/engine.h"

namespace basalt::storage::types {

struct DatasetRecount {
  std::vector<uint64_t> bytes;  // per db
  uint64_t keys = 0;            // records visited
  uint64_t upgraded = 0;        // collection records given their element bytes
};

// False with `error` set if reading or the final write failed (nothing is then written).
bool recount_dataset(Engine& engine, size_t databases, DatasetRecount& out, std::string& error);

}  // namespace basalt::storage::types
