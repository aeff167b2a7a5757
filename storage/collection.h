// storage/collection.h — the metadata record payload of a collection key (hash, list, set,
// sorted set): a version that prefixes all its elements in the sub column family, the
// element count, type-specific fields (list head/tail indexes), and the logical bytes of its
// elements (storage/dataset_size.h), kept in step by the type stores so that a key's share of
// used_memory is known from its record alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/codec.h"

namespace basalt::storage {

struct CollectionMeta {
  uint64_t version = 0;
  uint64_t size = 0;
  uint64_t head = 0;  // lists: index of the first element (biased, see list encoding)
  uint64_t tail = 0;  // lists: index one past the last element
  // Logical bytes of the elements (dataset_size.h element_bytes summed). Records written
  // before basalt kept it have 32 bytes of payload: `bytes_known` is false for them until
  // the start-up recount (node open) rewrote them.
  uint64_t bytes = 0;
  bool bytes_known = true;

  std::string encode() const {
    std::string s;
    put_u64_be(s, version);
    put_u64_be(s, size);
    put_u64_be(s, head);
    put_u64_be(s, tail);
    put_u64_be(s, bytes);
    return s;
  }
  static bool decode(std::string_view payload, CollectionMeta& out) {
    if (payload.size() < 32) return false;
    out.version = get_u64_be(payload.data());
    out.size = get_u64_be(payload.data() + 8);
    out.head = get_u64_be(payload.data() + 16);
    out.tail = get_u64_be(payload.data() + 24);
    out.bytes_known = payload.size() >= 40;
    out.bytes = out.bytes_known ? get_u64_be(payload.data() + 32) : 0;
    return true;
  }
};

}  // namespace basalt::storage
