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
//
// Chunked lists (CollectionMeta::chunked; every list created since) keep the same indexes
// and the same metadata, but store the element at index i in CHUNK i >> kSlotBits, slot
// i & (kSlots - 1): one sub-key entry per chunk,
//   8-byte big-endian chunk number -> first occupied slot (1 byte), then per element in
//                                     index order: varint(size << 1 | big), the bytes
// Positions are contiguous, so a chunk's occupied slots are too (only the end chunks are
// partly filled). An element larger than kBigElement is stored out of line (big = 1: the
// chunk keeps only its size) under its own entry "\xff" + 8-byte index, which sorts after
// every chunk (chunk numbers are below 2^58): a push then rewrites at most kSlots small
// elements, never a big one, and a big element is written once where it lands.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

inline constexpr unsigned kSlotBits = 6;
inline constexpr uint64_t kSlots = uint64_t{1} << kSlotBits;
inline constexpr uint64_t kBigElement = 256;

inline uint64_t chunk_of(uint64_t index) {
  return index >> kSlotBits;
}
inline uint64_t chunk_start(uint64_t chunk) {
  return chunk << kSlotBits;
}
// The part of chunk `chunk` (as part(): 8 bytes big-endian).
inline std::string chunk_part(uint64_t chunk) {
  return part(chunk);
}
// The part of the out-of-line element at storage index `index`.
inline std::string big_part(uint64_t index) {
  std::string s(1, '\xff');
  put_u64_be(s, index);
  return s;
}

// One element of a decoded chunk: its bytes (empty for a big one: stored out of line).
struct ChunkSlot {
  std::string_view value;
  uint64_t size = 0;
  bool big = false;
  size_t end = 0;  // the offset in the chunk's encoding just past this element's
};

// Appends one element's encoding to a chunk being built.
inline void encode_slot(std::string& out, std::string_view value, uint64_t size, bool big) {
  uint64_t v = size << 1 | (big ? 1 : 0);
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  if (!big) out.append(value);
}
// Reads the element whose encoding starts at offset `at` of a chunk (past its first byte)
// into `slot` (its end: where the next one starts). False if it runs past the chunk.
inline bool read_slot(std::string_view raw, size_t at, ChunkSlot& slot) {
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (at >= raw.size() || shift > 63) return false;
    auto byte = static_cast<uint8_t>(raw[at++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  slot.big = v & 1;
  slot.size = v >> 1;
  slot.value = {};
  if (!slot.big) {
    if (slot.size > raw.size() - at) return false;
    slot.value = raw.substr(at, slot.size);
    at += slot.size;
  }
  slot.end = at;
  return true;
}
// Decodes a chunk: `first` receives its first occupied slot, `out` its elements (views into
// `raw`). False if `raw` is not a well-formed chunk.
inline bool decode_chunk(std::string_view raw, uint64_t& first, std::vector<ChunkSlot>& out) {
  out.clear();
  if (raw.empty()) return false;
  out.reserve(kSlots);
  first = static_cast<uint8_t>(raw[0]);
  for (size_t at = 1; at < raw.size(); at = out.back().end) {
    ChunkSlot slot;
    if (!read_slot(raw, at, slot)) return false;
    out.push_back(slot);
  }
  return !out.empty() && first + out.size() <= kSlots;
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
