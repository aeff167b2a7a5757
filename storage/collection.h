// storage/collection.h — the metadata record payload of a collection key (hash, list, set,
// sorted set): a version that prefixes all its elements in the sub column family, the
// element count, type-specific fields (list head/tail indexes), and the logical bytes of its
// elements (storage/dataset_size.h), kept in step by the type stores so that a key's share of
// used_memory is known from its record alone. Sorted sets may add the bounds of their live
// score-index entries (floor/ceiling), so that a walk from either end starts past the
// tombstones that pops leave there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/codec.h"

namespace basalt::storage {

struct CollectionMeta {
  uint64_t version = 0;
  uint64_t size = 0;
  // Lists: index of the first element (biased, see list encoding), and one past the last.
  // Sorted sets: the score-index tombstones that pops left below `floor` / above `ceiling`,
  // which `dead` does not count (no walk crosses them while the bound stands).
  uint64_t head = 0;
  uint64_t tail = 0;
  // Logical bytes of the elements (dataset_size.h element_bytes summed). Records written
  // before basalt kept it have 32 bytes of payload: `bytes_known` is false for them until
  // the start-up recount (node open) rewrote them.
  uint64_t bytes = 0;
  bool bytes_known = true;
  // Hashes, sets, sorted sets: element tombstones written under this version (a rebuild
  // under a fresh version leaves them behind: types/collection.h, save()).
  uint64_t dead = 0;
  // Sorted sets: no live score-index entry sorts below `floor` or above `ceiling` (element
  // parts; empty = no bound). A pop from an end moves the bound to the part it removed; an
  // entry written past a bound moves the bound to it.
  std::string floor, ceiling;
  // Lists: the elements live in chunks (types/list_encoding.h); false for lists written
  // before chunks, one entry per element.
  bool chunked = false;
  // `dead`, `floor` and `ceiling` follow `bytes` only when one is set (dead, then each part
  // as an 8-byte length and its bytes), so other records keep their 40 bytes and a reader
  // that knows only the first five fields reads these records unchanged. A chunked list adds
  // an 8-byte flags word (bit 0) after them.

  std::string encode() const {
    std::string s;
    encode_to(s);
    return s;
  }
  // encode() into `s` (its contents replaced), allocating at most once.
  void encode_to(std::string& s) const {
    s.clear();
    s.reserve(72 + floor.size() + ceiling.size());
    put_u64_be(s, version);
    put_u64_be(s, size);
    put_u64_be(s, head);
    put_u64_be(s, tail);
    put_u64_be(s, bytes);
    if (dead != 0 || !floor.empty() || !ceiling.empty() || chunked) {
      put_u64_be(s, dead);
      put_u64_be(s, floor.size());
      s.append(floor);
      put_u64_be(s, ceiling.size());
      s.append(ceiling);
      if (chunked) put_u64_be(s, kChunkedFlag);
    }
  }
  static bool decode(std::string_view payload, CollectionMeta& out) {
    View view;
    if (!parse(payload, view)) return false;
    out.version = view.version;
    out.size = view.size;
    out.head = view.head;
    out.tail = view.tail;
    out.bytes_known = view.bytes_known;
    out.bytes = view.bytes;
    out.dead = view.dead;
    out.floor.assign(view.floor);
    out.ceiling.assign(view.ceiling);
    out.chunked = view.chunked;
    return true;
  }

  // The same fields as decode() gives, the parts as views into the payload: checked alike,
  // copied nothing (for callers that need only the numbers, such as a write's byte count).
  struct View {
    uint64_t version = 0, size = 0, head = 0, tail = 0, bytes = 0, dead = 0;
    bool bytes_known = true, chunked = false;
    std::string_view floor, ceiling;
  };
  static bool parse(std::string_view payload, View& out) {
    if (payload.size() < 32) return false;
    out.version = get_u64_be(payload.data());
    out.size = get_u64_be(payload.data() + 8);
    out.head = get_u64_be(payload.data() + 16);
    out.tail = get_u64_be(payload.data() + 24);
    out.bytes_known = payload.size() >= 40;
    out.bytes = out.bytes_known ? get_u64_be(payload.data() + 32) : 0;
    out.dead = 0;
    out.floor = out.ceiling = {};
    out.chunked = false;
    if (payload.size() <= 40) return true;
    if (payload.size() < 48) return false;
    out.dead = get_u64_be(payload.data() + 40);
    std::string_view rest = payload.substr(48);
    if (!take_part(rest, out.floor) || !take_part(rest, out.ceiling)) return false;
    if (rest.size() == 8) {
      uint64_t flags = get_u64_be(rest.data());
      if (flags != kChunkedFlag) return false;
      out.chunked = true;
      rest.remove_prefix(8);
    }
    return rest.empty();
  }

 private:
  static constexpr uint64_t kChunkedFlag = 1;
  static bool take_part(std::string_view& rest, std::string_view& part) {
    if (rest.size() < 8) return false;
    uint64_t n = get_u64_be(rest.data());
    rest.remove_prefix(8);
    if (n > rest.size()) return false;
    part = rest.substr(0, n);
    rest.remove_prefix(n);
    return true;
  }
};

}  // namespace basalt::storage
