// storage/types/list.cpp — see list.h. Chunked lists (list_encoding.h): a push or a pop is a
// read-modify-write of the end chunk, a run is read a point read per chunk (short runs) or one
// iterator step per chunk, and the middle edits rewrite the chunks of the side they shift.
// Lists stored before chunks go to list_legacy.cpp until a write converts them.
#include "storage/types/list.h"

#include <algorithm>
#include <stdexcept>

#include "storage/dataset_size.h"
#include "storage/types/list_legacy.h"

namespace basalt::storage::types::list {

namespace {

// Above this many removed elements per kept one, trim() copies the kept elements to a new
// version (the old one is dropped by one range tombstone) instead of rewriting its chunks.
constexpr uint64_t kRebuildFactor = 2;
constexpr uint64_t kRebuildMinimum = kSlots;

// A list stored one entry per element is converted to chunks by its first write when it has
// at most this many elements (a bounded copy, about the cost of an LRANGE of them); larger
// ones keep the old layout (list_legacy.cpp).
constexpr uint64_t kConvertMaximum = 4096;

// A middle edit that would move more than this many elements (or a trim's rebuild that keeps
// more) copies the whole list to a fresh version instead, kStreamWindow elements at a time,
// so that memory stays bounded however long the list (rewrite() takes the moved run whole).
constexpr uint64_t kStreamMinimum = 8192;
constexpr uint64_t kStreamWindow = 512;

// A run over at most this many chunks is read with a point read per chunk, a longer one with
// an iterator.
constexpr uint64_t kPointReadChunks = 4;

uint64_t bytes_of(uint64_t size) {
  return element_bytes(0, size);
}

bool is_big(std::string_view value) {
  return value.size() > kBigElement;
}

[[noreturn]] void corrupt(const List& l, uint64_t index) {
  throw std::runtime_error("list '" + std::string(l.key()) + "': no stored element at index " +
                           std::to_string(index));
}

// A chunk as stored: its encoding and its decoded elements (views into `raw`); `first` is
// the storage index of slots[0].
struct Chunk {
  std::string raw;
  uint64_t first = 0;
  std::vector<ChunkSlot> slots;
  bool present() const { return !slots.empty(); }
  bool holds(uint64_t index) const { return index >= first && index - first < slots.size(); }
  const ChunkSlot& at(uint64_t index) const { return slots[index - first]; }
};

bool decode(std::string_view raw, uint64_t chunk, Chunk& out) {
  uint64_t first_slot = 0;
  if (!decode_chunk(raw, first_slot, out.slots)) {
    out.slots.clear();
    return false;
  }
  out.first = chunk_start(chunk) + first_slot;
  return true;
}

// Loads chunk `chunk` (absent: no slots).
void load(const List& l, uint64_t chunk, Chunk& out) {
  out.slots.clear();
  out.first = chunk_start(chunk);
  if (!l.keys().sub_get(l.db(), l.key(), l.meta.version, chunk_part(chunk), out.raw)) return;
  if (!decode(out.raw, chunk, out)) corrupt(l, out.first);
}

std::string big_value(const List& l, uint64_t index) {
  std::string value;
  if (!l.keys().sub_get(l.db(), l.key(), l.meta.version, big_part(index), value)) corrupt(l, index);
  return value;
}

// The element in `slot` (at storage index `index`), its bytes fetched if stored out of line.
std::string_view element(const List& l, uint64_t index, const ChunkSlot& slot, std::string& buf) {
  if (!slot.big) return slot.value;
  buf = big_value(l, index);
  return buf;
}

// Appends a new element (landing at storage index `index`) to a chunk being built; a big one
// is written out of line now.
void add_new(const List& l, std::string& out, uint64_t index, std::string_view value) {
  bool big = is_big(value);
  if (big) l.keys().sub_put(l.db(), l.key(), l.meta.version, big_part(index), value);
  encode_slot(out, value, value.size(), big);
}

void put_chunk(const List& l, uint64_t chunk, std::string_view raw) {
  l.keys().sub_put(l.db(), l.key(), l.meta.version, chunk_part(chunk), raw);
}
void delete_chunk(const List& l, uint64_t chunk) {
  l.keys().sub_delete(l.db(), l.key(), l.meta.version, chunk_part(chunk));
}
void delete_big(const List& l, uint64_t index) {
  l.keys().sub_delete(l.db(), l.key(), l.meta.version, big_part(index));
}

// Calls f(index, slot, chunk) for up to `n` elements from storage index `index` towards the
// tail (forward) or the head, a point read or one iterator step per chunk, until f returns
// false. The elements asked for must lie inside the list.
template <class F>
void walk(const List& l, uint64_t index, uint64_t n, bool forward, F&& f) {
  if (n == 0) return;
  // Hands f the elements of `c` from `index` on; true once the walk is over.
  auto visit_chunk = [&](const Chunk& c) {
    while (c.holds(index)) {
      if (!f(index, c.at(index)) || --n == 0) return true;
      index = forward ? index + 1 : index - 1;
    }
    return false;
  };
  uint64_t last = forward ? index + (n - 1) : index - (n - 1);
  uint64_t chunks =
      (forward ? chunk_of(last) - chunk_of(index) : chunk_of(index) - chunk_of(last)) + 1;
  if (chunks <= kPointReadChunks) {
    // A short run: a point read per chunk costs less than an iterator and its seek (which
    // open and position one child iterator per memtable and table file).
    Chunk c;
    while (true) {
      load(l, chunk_of(index), c);
      if (!c.holds(index)) corrupt(l, index);
      if (visit_chunk(c)) return;
    }
  }
  std::string prefix;
  auto it = l.keys().sub_iterate(l.db(), l.key(), l.meta.version, prefix);
  uint64_t expect = chunk_of(index);
  std::string target = prefix + chunk_part(expect);
  if (forward)
    it->Seek(target);
  else
    it->SeekForPrev(target);
  Chunk c;
  // As for single elements before chunks, the iterator is never stepped past the last chunk
  // wanted: beyond the list's ends lie the tombstones of chunks popped earlier.
  while (true) {
    if (!it->Valid() || !it->key().starts_with(prefix)) corrupt(l, index);
    std::string_view p(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    uint64_t number = 0;
    if (!index_of(p, number) || number != expect ||
        !decode(std::string_view(it->value().data(), it->value().size()), number, c) ||
        !c.holds(index))
      corrupt(l, index);
    if (visit_chunk(c)) return;
    expect = chunk_of(index);
    if (forward)
      it->Next();
    else
      it->Prev();
  }
}

// Rewrites the chunks holding storage indexes [lo, hi) for the list to hold [new_head,
// new_tail): indexes in [moved_first, moved_first + moved.size()) get moved[...] (elements
// that moved there, or are new), every other index keeps what it holds now. A chunk left
// empty is deleted, and so is every big element no longer held at its index. The moved
// elements must have been read before (they are values, not stubs).
void rewrite(const List& l, uint64_t lo, uint64_t hi, uint64_t new_head, uint64_t new_tail,
             uint64_t moved_first, const std::vector<std::string>& moved) {
  if (lo >= hi) return;
  Chunk old;
  std::string raw;
  auto is_moved = [&](uint64_t i) { return i >= moved_first && i - moved_first < moved.size(); };
  for (uint64_t chunk = chunk_of(lo); chunk <= chunk_of(hi - 1); ++chunk) {
    load(l, chunk, old);
    uint64_t a = std::max(chunk_start(chunk), new_head);
    uint64_t b = std::min(chunk_start(chunk) + kSlots, new_tail);
    raw.clear();
    if (a < b) raw.push_back(static_cast<char>(a - chunk_start(chunk)));
    for (uint64_t i = a; i < b; ++i) {
      if (is_moved(i)) {
        add_new(l, raw, i, moved[i - moved_first]);
      } else {
        if (!old.holds(i)) corrupt(l, i);
        const ChunkSlot& s = old.at(i);
        encode_slot(raw, s.value, s.size, s.big);  // a big one stays where it is
      }
    }
    for (uint64_t k = 0; k < old.slots.size(); ++k) {
      uint64_t i = old.first + k;
      if (!old.slots[k].big) continue;
      bool still_there = i >= a && i < b && (!is_moved(i) || is_big(moved[i - moved_first]));
      if (!still_there) delete_big(l, i);
    }
    if (a < b)
      put_chunk(l, chunk, raw);
    else if (old.present())
      delete_chunk(l, chunk);
  }
}

// Reads the elements at storage indexes [lo, hi) (inside the list), in order, into `out`;
// with `skip` (ascending storage indexes), those are left out and their bytes summed into
// `skipped_bytes`.
void read_run(const List& l, uint64_t lo, uint64_t hi, std::vector<std::string>& out,
              const std::vector<uint64_t>& skip = {}, uint64_t* skipped_bytes = nullptr) {
  out.clear();
  if (lo >= hi) return;
  out.reserve(hi - lo - std::min<uint64_t>(skip.size(), hi - lo));
  size_t next = 0;
  std::string buf;
  walk(l, lo, hi - lo, true, [&](uint64_t index, const ChunkSlot& s) {
    if (next < skip.size() && skip[next] == index) {
      ++next;
      *skipped_bytes += bytes_of(s.size);
    } else {
      out.emplace_back(element(l, index, s, buf));
    }
    return true;
  });
}

// Bytes of the elements at storage indexes [lo, hi) (big ones are not fetched).
uint64_t run_bytes(const List& l, uint64_t lo, uint64_t hi) {
  uint64_t bytes = 0;
  if (lo < hi)
    walk(l, lo, hi - lo, true, [&](uint64_t, const ChunkSlot& s) {
      bytes += bytes_of(s.size);
      return true;
    });
  return bytes;
}

// Makes `l` an empty chunked list under a fresh version: save() then drops the old version's
// elements with one range tombstone, and pushes in the same command start clean.
void make_empty(List& l) {
  l.meta.version = l.keys().new_version();
  l.meta.head = l.meta.tail = kEmptyIndex;
  l.meta.size = 0;
  l.meta.bytes = 0;
  l.meta.chunked = true;
}

// `elements` as a fresh chunked list (the old version is dropped by save()).
void rebuild(List& l, const std::vector<std::string>& elements) {
  make_empty(l);
  for (const auto& e : elements) l.meta.bytes += bytes_of(e.size());
  l.meta.tail = kEmptyIndex + elements.size();
  l.meta.size = elements.size();
  rewrite(l, l.meta.head, l.meta.tail, l.meta.head, l.meta.tail, l.meta.head, elements);
}

// A write to a list stored one entry per element: small ones are converted to chunks first.
// True if `l` is (now) chunked.
bool chunked_for_write(List& l) {
  if (l.meta.chunked || l.meta.version == 0) return true;
  if (l.size() > kConvertMaximum) return false;
  std::vector<std::string> all;
  all.reserve(l.size());
  legacy::read(l, 0, l.size(), true, [&](uint64_t, std::string_view e) {
    all.emplace_back(e);
    return true;
  });
  if (all.size() != l.size()) return false;  // metadata and elements disagree: leave it
  rebuild(l, all);
  return true;
}

// Copies the elements of `l` at storage indexes [from, to) to a fresh chunked version,
// kStreamWindow at a time (each window read through a fresh iterator before it is written):
// without those at `skip` (ascending storage indexes), and with `*insert` placed before the
// element at `insert_at` (== to: after the last). save() then drops the old version.
void stream_copy(List& l, uint64_t from, uint64_t to, const std::vector<uint64_t>& skip,
                 const std::string_view* insert, uint64_t insert_at) {
  const List old = l;  // reads go to the old version, writes to the new one
  make_empty(l);
  uint64_t index = l.meta.head;  // the next new storage index
  std::string raw;
  uint64_t chunk = 0;
  bool open = false;
  auto flush = [&] {
    if (open) put_chunk(l, chunk, raw);
    open = false;
  };
  auto append = [&](std::string_view value) {
    if (!open || chunk_of(index) != chunk) {
      flush();
      chunk = chunk_of(index);
      raw.assign(1, static_cast<char>(index - chunk_start(chunk)));
      open = true;
    }
    add_new(l, raw, index, value);
    l.meta.bytes += bytes_of(value.size());
    ++index;
  };
  std::vector<std::pair<uint64_t, std::string>> window;
  std::string buf;
  size_t next_skip = 0;
  for (uint64_t at = from; at < to; at += kStreamWindow) {
    window.clear();
    walk(old, at, std::min(kStreamWindow, to - at), true, [&](uint64_t i, const ChunkSlot& slot) {
      window.emplace_back(i, element(old, i, slot, buf));
      return true;
    });
    for (auto& [i, element] : window) {
      if (insert && i == insert_at) append(*insert);
      while (next_skip < skip.size() && skip[next_skip] < i) ++next_skip;
      if (next_skip < skip.size() && skip[next_skip] == i) continue;
      append(element);
    }
  }
  if (insert && insert_at == to) append(*insert);
  flush();
  l.meta.tail = index;
  l.meta.size = l.size();
}

}  // namespace

void push(List& l, End end, std::string_view value) {
  if (!chunked_for_write(l)) return legacy::push(l, end, value);
  if (l.meta.version == 0) make_empty(l);
  uint64_t index = end == End::Head ? l.meta.head - 1 : l.meta.tail;
  uint64_t chunk = chunk_of(index);
  std::string raw;
  bool present =
      l.size() > 0 && l.keys().sub_get(l.db(), l.key(), l.meta.version, chunk_part(chunk), raw);
  // The chunk's encoding is edited in place: the new element goes before the others (and
  // the first slot moves down) or after them.
  if (!present) {
    raw.assign(1, static_cast<char>(index - chunk_start(chunk)));
    add_new(l, raw, index, value);
  } else if (end == End::Tail) {
    add_new(l, raw, index, value);
  } else {
    std::string head(1, static_cast<char>(index - chunk_start(chunk)));
    add_new(l, head, index, value);
    raw.replace(0, 1, head);
  }
  put_chunk(l, chunk, raw);
  if (end == End::Head)
    --l.meta.head;
  else
    ++l.meta.tail;
  l.meta.size = l.size();
  l.meta.bytes += bytes_of(value.size());
}

void pop(List& l, End end, uint64_t n, const std::function<void(std::string_view)>& f) {
  if (!chunked_for_write(l)) return legacy::pop(l, end, n, f);
  uint64_t size = l.size();
  n = std::min(n, size);
  if (n == 0) return;
  if (n == size) {
    // All of it: read, then a fresh empty version (save() removes the key).
    read(l, end == End::Head ? 0 : size - 1, n, end == End::Head,
         [&](uint64_t, std::string_view e) {
           f(e);
           return true;
         });
    return make_empty(l);
  }
  // Chunk by chunk from the end: the popped elements are handed out, the chunk keeps the
  // rest (or is deleted), its encoding cut where the popped ones begin (or end): only the
  // elements read past are parsed. Positions are contiguous, so the metadata says which
  // slots the end chunk holds.
  Chunk c;
  std::string buf, raw;
  while (n > 0) {
    const bool head = end == End::Head;
    const uint64_t index = head ? l.meta.head : l.meta.tail - 1;
    const uint64_t chunk = chunk_of(index);
    const uint64_t lo = std::max(chunk_start(chunk), l.meta.head);  // the chunk's first element
    const uint64_t hi = std::min(chunk_start(chunk) + kSlots, l.meta.tail);  // one past its last
    const uint64_t held = hi - lo, k = std::min(n, held);                    // k: popped from it
    if (!l.keys().sub_get(l.db(), l.key(), l.meta.version, chunk_part(chunk), c.raw) ||
        c.raw.empty() || static_cast<uint8_t>(c.raw[0]) != lo - chunk_start(chunk))
      corrupt(l, index);
    // Head: the first k slots are popped. Tail: the first held - k are kept, then k popped.
    const uint64_t skip = head ? 0 : held - k;
    c.slots.clear();
    c.slots.reserve(k);
    ChunkSlot s;
    size_t at = 1, cut = 1;  // cut: where the kept part ends (tail) or starts (head)
    for (uint64_t j = 0; j < skip + k; ++j) {
      if (!read_slot(c.raw, at, s)) corrupt(l, lo + j);
      at = s.end;
      if (j < skip)
        cut = at;
      else
        c.slots.push_back(s);
    }
    if (head) cut = at;
    for (uint64_t j = 0; j < k; ++j) {
      // Head pops hand out the slots in order; tail pops from the last one back.
      const ChunkSlot& p = head ? c.slots[j] : c.slots[k - 1 - j];
      const uint64_t i = head ? lo + j : hi - 1 - j;
      f(element(l, i, p, buf));
      l.meta.bytes -= bytes_of(p.size);
      if (p.big) delete_big(l, i);
    }
    if (k == held) {
      delete_chunk(l, chunk);
    } else if (head) {
      raw.assign(1, static_cast<char>(lo + k - chunk_start(chunk)));
      raw.append(std::string_view(c.raw).substr(cut));
      put_chunk(l, chunk, raw);
    } else {
      put_chunk(l, chunk, std::string_view(c.raw).substr(0, cut));
    }
    if (head)
      l.meta.head += k;
    else
      l.meta.tail -= k;
    n -= k;
  }
  l.meta.size = l.size();
}

std::string get(const List& l, uint64_t position) {
  if (!l.meta.chunked) return legacy::get(l, position);
  uint64_t index = l.meta.head + position;
  Chunk c;
  load(l, chunk_of(index), c);
  if (!c.holds(index)) corrupt(l, index);
  std::string buf;
  return std::string(element(l, index, c.at(index), buf));
}

void set(List& l, uint64_t position, std::string_view value) {
  if (!chunked_for_write(l)) return legacy::set(l, position, value);
  uint64_t index = l.meta.head + position;
  uint64_t chunk = chunk_of(index);
  Chunk c;
  load(l, chunk, c);
  if (!c.holds(index)) corrupt(l, index);
  std::string raw(1, static_cast<char>(c.first - chunk_start(chunk)));
  for (uint64_t i = c.first; i < c.first + c.slots.size(); ++i) {
    const ChunkSlot& s = c.at(i);
    if (i != index) {
      encode_slot(raw, s.value, s.size, s.big);
      continue;
    }
    l.meta.bytes -= bytes_of(s.size);
    if (s.big && !is_big(value)) delete_big(l, i);
    add_new(l, raw, i, value);
  }
  put_chunk(l, chunk, raw);
  l.meta.bytes += bytes_of(value.size());
}

void read(const List& l, uint64_t position, uint64_t n, bool forward,
          const std::function<bool(uint64_t, std::string_view)>& f) {
  if (!l.meta.chunked) return legacy::read(l, position, n, forward, f);
  uint64_t size = l.size();
  if (n == 0 || position >= size) return;
  n = std::min(n, forward ? size - position : position + 1);
  std::string buf;
  walk(l, l.meta.head + position, n, forward, [&](uint64_t index, const ChunkSlot& s) {
    return f(index - l.meta.head, element(l, index, s, buf));
  });
}

void insert(List& l, uint64_t position, std::string_view value) {
  if (!chunked_for_write(l)) return legacy::insert(l, position, value);
  if (l.meta.version == 0) make_empty(l);
  uint64_t size = l.size(), head = l.meta.head, tail = l.meta.tail;
  if (std::min(position, size - position) > kStreamMinimum)
    return stream_copy(l, head, tail, {}, &value, head + position);
  std::vector<std::string> moved;
  if (position < size - position) {
    // Fewer elements before: they move one towards the head, the new one ends their run.
    read_run(l, head, head + position, moved);
    moved.emplace_back(value);
    rewrite(l, head - 1, head + position, head - 1, tail, head - 1, moved);
    --l.meta.head;
  } else {
    read_run(l, head + position, tail, moved);
    moved.emplace(moved.begin(), value);
    rewrite(l, head + position, tail + 1, head, tail + 1, head + position, moved);
    ++l.meta.tail;
  }
  l.meta.size = l.size();
  l.meta.bytes += bytes_of(value.size());
}

void remove(List& l, const std::vector<uint64_t>& positions) {
  if (!chunked_for_write(l)) return legacy::remove(l, positions);
  uint64_t size = l.size(), removed = positions.size(), head = l.meta.head, tail = l.meta.tail;
  if (removed == 0) return;
  if (removed == size) return make_empty(l);
  std::vector<uint64_t> skip(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) skip[i] = head + positions[i];
  // Close the gaps from the side that moves fewer elements.
  uint64_t moves_down = size - positions.front() - removed;  // elements after the first gap
  uint64_t moves_up = positions.back() + 1 - removed;        // elements before the last gap
  if (std::min(moves_down, moves_up) > kStreamMinimum)
    return stream_copy(l, head, tail, skip, nullptr, 0);
  std::vector<std::string> moved;
  uint64_t removed_bytes = 0;
  if (moves_down <= moves_up) {
    uint64_t lo = head + positions.front();
    read_run(l, lo, tail, moved, skip, &removed_bytes);
    rewrite(l, lo, tail, head, tail - removed, lo, moved);
    l.meta.tail -= removed;
  } else {
    uint64_t hi = head + positions.back() + 1;
    read_run(l, head, hi, moved, skip, &removed_bytes);
    rewrite(l, head, hi, head + removed, tail, head + removed, moved);
    l.meta.head += removed;
  }
  l.meta.bytes -= removed_bytes;
  l.meta.size = l.size();
}

void trim(List& l, Span keep) {
  if (!chunked_for_write(l)) return legacy::trim(l, keep);
  uint64_t size = l.size(), head = l.meta.head, tail = l.meta.tail;
  uint64_t removed = size - keep.count;
  if (removed == 0) return;
  if (keep.count == 0) return make_empty(l);
  uint64_t first = head + keep.first, end = first + keep.count;
  if (removed > kRebuildFactor * keep.count + kRebuildMinimum) {
    if (keep.count > kStreamMinimum) return stream_copy(l, first, end, {}, nullptr, 0);
    std::vector<std::string> kept;
    read_run(l, first, end, kept);
    return rebuild(l, kept);
  }
  l.meta.bytes -= run_bytes(l, head, first) + run_bytes(l, end, tail);
  static const std::vector<std::string> none;
  rewrite(l, head, first, first, end, 0, none);
  rewrite(l, end, tail, first, end, 0, none);
  l.meta.head = first;
  l.meta.tail = end;
  l.meta.size = keep.count;
}

}  // namespace basalt::storage::types::list
