// storage/types/seek_sampler.h — random elements of a large collection in a few seeks each,
// instead of a walk to a random position (O(size) per pick: SPOP on 60,000 members ran at a
// few per second, and each pick also crossed the tombstones of earlier pops). A pick descends
// the collection's keys as a trie: where the keys under the current prefix part ways, it
// draws one of the byte values between the smallest and the largest next byte (or the key
// that ends there), seeks to it and goes on under the branch it lands in, until one key is
// left. Every branch of a fork is equally likely, so picks are uniform when the names are
// alike in shape (fixed-width names, decimal numbers, hashes) and lean towards the members of
// thin branches otherwise; Redis's own picks are not uniform either. Small collections keep
// the exact walk (Collection::random).
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/types/collection.h"
#include "storage/types/key_access.h"

namespace basalt::storage::types {

class SeekSampler {
 public:
  // Over the elements of (db, key, version) whose part starts with `part_prefix`.
  SeekSampler(KeyAccess& ks, uint16_t db, std::string_view key, uint64_t version,
              std::string_view part_prefix);

  // One element (part without the prefix, value). False if the collection read as empty.
  bool pick(Element& out);

 private:
  bool at_prefix(std::string_view prefix) const;
  // The last key under `prefix` (false: none).
  bool seek_last(const std::string& prefix, std::string& out);

  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;  // the sub-key prefix with part_prefix
  std::string branch_, lo_, hi_, target_;
};

}  // namespace basalt::storage::types
