// storage/types/list_encoding.h — how a list lives in the sub column family, and the index
// arithmetic the list store and commands share (pure functions, unit-tested on their own).
//
// A list is a metadata record (CollectionMeta) and one entry per element:
//   8-byte big-endian storage index -> element
// meta.head is the storage index of the first element, meta.tail one past the last, so
// size = tail - head and bytewise key order is list order. A new list starts with
// head = tail = 2^63: LPUSH writes at head - 1 (head moves down), RPUSH writes at tail (tail
// moves up), so both ends grow in O(1) for 2^63 pushes each way. Elements are addressed by
// their position (0 = first element): storage index = head + position.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/codec.h"

namespace basalt::storage::types::list {

// head = tail of a list that has just been created.
inline constexpr uint64_t kEmptyIndex = 1ull << 63;

// The part (sub-key suffix) of the element at storage index `index`.
inline std::string part(uint64_t index) {
  std::string s;
  put_u64_be(s, index);
  return s;
}
// The storage index of a part; false if it is not 8 bytes.
inline bool index_of(std::string_view part, uint64_t& index) {
  if (part.size() != 8) return false;
  index = get_u64_be(part.data());
  return true;
}

// The position of Redis index `index` (negative: counted from the tail, -1 = last) in a list
// of `size` elements; false when it is out of range (LINDEX nil, LSET "index out of range").
inline bool resolve_index(int64_t index, uint64_t size, uint64_t& position) {
  if (index < 0) {
    // -index as unsigned: well defined for INT64_MIN too.
    uint64_t back = 0 - static_cast<uint64_t>(index);
    if (back > size) return false;
    position = size - back;
    return true;
  }
  if (static_cast<uint64_t>(index) >= size) return false;
  position = static_cast<uint64_t>(index);
  return true;
}

// A run of positions [first, first + count).
struct Span {
  uint64_t first = 0;
  uint64_t count = 0;
  bool operator==(const Span&) const = default;
};

// The positions LRANGE start end returns and LTRIM start end keeps, with Redis's clamping:
// negative indexes count from the tail, start is clamped to 0, end to the last element, and
// start > end or start past the end is the empty span.
inline Span clamp_range(int64_t start, int64_t end, uint64_t size) {
  // size <= 2^63 - 1 in practice (at most 2^63 pushes each way), so it fits an int64.
  auto len = static_cast<int64_t>(size);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return {};
  if (end >= len) end = len - 1;
  return {static_cast<uint64_t>(start), static_cast<uint64_t>(end - start + 1)};
}

}  // namespace basalt::storage::types::list
