// storage/types/list_legacy.cpp — see list_legacy.h: the list operations over the layout of
// one sub-key entry per element (lists written before chunks), unchanged from that layout's
// store.
#include "storage/types/list_legacy.h"

#include <algorithm>

#include "storage/dataset_size.h"

namespace basalt::storage::types::list::legacy {

namespace {

// Elements read per iterator when a run is read while the batch is being written.
constexpr uint64_t kChunk = 512;

// Above this many removed elements per kept one, trim() copies the kept elements to a new
// version (the old one is dropped by one range tombstone) instead of deleting one by one.
constexpr uint64_t kRebuildFactor = 2;
constexpr uint64_t kRebuildMinimum = 64;

void put_at(const List& l, uint64_t index, std::string_view value) {
  l.keys().sub_put(l.db(), l.key(), l.meta.version, part(index), value);
}

void delete_at(const List& l, uint64_t index) {
  l.keys().sub_delete(l.db(), l.key(), l.meta.version, part(index));
}

// Reads up to `n` elements from `position` into `out` (in reading order).
void read_chunk(const List& l, uint64_t position, uint64_t n, bool forward,
                std::vector<std::string>& out) {
  out.clear();
  legacy::read(l, position, n, forward, [&](uint64_t, std::string_view element) {
    out.emplace_back(element);
    return true;
  });
}

// Moves the elements at positions [from, from + n) by `delta` (-1 or +1) storage indexes,
// chunk by chunk in the order that never overwrites an element not yet read.
void shift(const List& l, uint64_t from, uint64_t n, int delta) {
  std::vector<std::string> chunk;
  if (delta < 0) {
    for (uint64_t done = 0; done < n;) {
      read_chunk(l, from + done, std::min(kChunk, n - done), true, chunk);
      if (chunk.empty()) return;
      for (const auto& element : chunk) put_at(l, l.meta.head + from + done++ - 1, element);
    }
  } else {
    for (uint64_t done = 0; done < n;) {
      uint64_t last = from + n - 1 - done;
      read_chunk(l, last, std::min(kChunk, n - done), false, chunk);
      if (chunk.empty()) return;
      for (const auto& element : chunk) put_at(l, l.meta.head + from + n - done++, element);
    }
  }
}

// Makes `l` an empty list under a fresh version: save() then drops the old version's
// elements with one range tombstone, and pushes in the same command start clean.
void make_empty(List& l) {
  l.meta.version = l.keys().new_version();
  l.meta.head = l.meta.tail = kEmptyIndex;
  l.meta.size = 0;
  l.meta.bytes = 0;
}

uint64_t bytes_of(std::string_view element) {
  return element_bytes(0, element.size());
}

// Bytes of the `n` elements from `position` on.
uint64_t run_bytes(const List& l, uint64_t position, uint64_t n) {
  uint64_t bytes = 0;
  legacy::read(l, position, n, true, [&](uint64_t, std::string_view element) {
    bytes += bytes_of(element);
    return true;
  });
  return bytes;
}

// Copies the kept run to a fresh version; save() drops the old one.
void rebuild(List& l, Span keep) {
  List fresh(l.keys(), l.db(), l.key());
  make_empty(fresh);
  std::vector<std::string> chunk;
  for (uint64_t done = 0; done < keep.count;) {
    read_chunk(l, keep.first + done, std::min(kChunk, keep.count - done), true, chunk);
    if (chunk.empty()) break;
    for (const auto& element : chunk) {
      put_at(fresh, kEmptyIndex + done++, element);
      fresh.meta.bytes += bytes_of(element);
    }
  }
  l.meta = fresh.meta;
  l.meta.tail = kEmptyIndex + keep.count;
  l.meta.size = keep.count;
}

}  // namespace

void push(List& l, End end, std::string_view value) {
  if (l.meta.version == 0) make_empty(l);
  if (end == End::Head) {
    put_at(l, --l.meta.head, value);
  } else {
    put_at(l, l.meta.tail++, value);
  }
  l.meta.size = l.size();
  l.meta.bytes += bytes_of(value);
}

void pop(List& l, End end, uint64_t n, const std::function<void(std::string_view)>& f) {
  uint64_t size = l.size();
  n = std::min(n, size);
  if (n == 0) return;
  uint64_t bytes = 0;  // of the popped elements, counted as they are read
  auto take = [&](std::string_view e) {
    bytes += bytes_of(e);
    f(e);
  };
  if (n == 1) {
    // One element: a point read, no iterator (the common LPOP / RPOP).
    take(legacy::get(l, end == End::Head ? 0 : size - 1));
  } else {
    legacy::read(l, end == End::Head ? 0 : size - 1, n, end == End::Head,
                 [&](uint64_t, std::string_view e) {
                   take(e);
                   return true;
                 });
  }
  Span keep = end == End::Head ? Span{n, size - n} : Span{0, size - n};
  // Emptied, or most of it popped: trim() starts a fresh version.
  if (keep.count == 0 || n > kRebuildFactor * keep.count + kRebuildMinimum)
    return legacy::trim(l, keep);
  // Otherwise the popped elements go one by one; their bytes are known from the read.
  uint64_t first = end == End::Head ? l.meta.head : l.meta.tail - n;
  for (uint64_t i = first; i < first + n; ++i) delete_at(l, i);
  if (end == End::Head)
    l.meta.head += n;
  else
    l.meta.tail -= n;
  l.meta.size = l.size();
  l.meta.bytes -= bytes;
}

std::string get(const List& l, uint64_t position) {
  std::string value;
  l.keys().sub_get(l.db(), l.key(), l.meta.version, part(l.meta.head + position), value);
  return value;
}

void set(List& l, uint64_t position, std::string_view value) {
  l.meta.bytes -= bytes_of(legacy::get(l, position));
  put_at(l, l.meta.head + position, value);
  l.meta.bytes += bytes_of(value);
}

void read(const List& l, uint64_t position, uint64_t n, bool forward,
          const std::function<bool(uint64_t, std::string_view)>& f) {
  if (n == 0 || position >= l.size()) return;
  std::string prefix;
  auto it = l.keys().sub_iterate(l.db(), l.key(), l.meta.version, prefix);
  std::string target = prefix + part(l.meta.head + position);
  if (forward)
    it->Seek(target);
  else
    it->SeekForPrev(target);
  // The iterator is never stepped past the last element wanted: beyond a list's ends lie the
  // tombstones of earlier pops, and one step over them costs one per tombstone (a queue fed
  // at one end and popped at the other would otherwise cost O(pops so far) per pop).
  for (uint64_t seen = 0; it->Valid() && it->key().starts_with(prefix);) {
    uint64_t index;
    std::string_view p(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    if (!index_of(p, index) || index < l.meta.head || index >= l.meta.tail) break;
    if (!f(index - l.meta.head, std::string_view(it->value().data(), it->value().size()))) break;
    if (++seen == n) break;
    uint64_t next = forward ? index + 1 : index - 1;
    if (next < l.meta.head || next >= l.meta.tail) break;
    if (forward)
      it->Next();
    else
      it->Prev();
  }
}

void insert(List& l, uint64_t position, std::string_view value) {
  uint64_t size = l.size();
  if (position < size - position) {
    // Fewer elements before: move them one towards the head.
    shift(l, 0, position, -1);
    put_at(l, l.meta.head + position - 1, value);
    --l.meta.head;
  } else {
    shift(l, position, size - position, +1);
    put_at(l, l.meta.head + position, value);
    ++l.meta.tail;
  }
  l.meta.size = l.size();
  l.meta.bytes += bytes_of(value);
}

void remove(List& l, const std::vector<uint64_t>& positions) {
  uint64_t size = l.size(), removed = positions.size();
  if (removed == 0) return;
  if (removed == size) return make_empty(l);
  // Close the gaps from the side that moves fewer elements.
  uint64_t moves_down = size - positions.front() - removed;  // elements after the first gap
  uint64_t moves_up = positions.back() + 1 - removed;        // elements before the last gap
  std::vector<std::string> chunk;
  if (moves_down <= moves_up) {
    uint64_t write = positions.front(), next = 0;
    for (uint64_t pos = positions.front(); pos < size;) {
      read_chunk(l, pos, std::min(kChunk, size - pos), true, chunk);
      if (chunk.empty()) break;
      for (const auto& element : chunk) {
        if (next < removed && positions[next] == pos) {
          ++next;
          l.meta.bytes -= bytes_of(element);
        } else {
          put_at(l, l.meta.head + write++, element);
        }
        ++pos;
      }
    }
    for (uint64_t i = l.meta.tail - removed; i < l.meta.tail; ++i) delete_at(l, i);
    l.meta.tail -= removed;
  } else {
    // Walk down from the last gap; `write` and `pos` count one past the position they name.
    uint64_t write = positions.back() + 1, next = removed;
    for (uint64_t pos = positions.back() + 1; pos > 0;) {
      read_chunk(l, pos - 1, std::min(kChunk, pos), false, chunk);
      if (chunk.empty()) break;
      for (const auto& element : chunk) {
        if (next > 0 && positions[next - 1] == pos - 1) {
          --next;
          l.meta.bytes -= bytes_of(element);
        } else {
          put_at(l, l.meta.head + --write, element);
        }
        --pos;
      }
    }
    for (uint64_t i = l.meta.head; i < l.meta.head + removed; ++i) delete_at(l, i);
    l.meta.head += removed;
  }
  l.meta.size = l.size();
}

void trim(List& l, Span keep) {
  uint64_t size = l.size();
  uint64_t removed = size - keep.count;
  if (removed == 0) return;
  if (keep.count == 0) return make_empty(l);
  if (removed > kRebuildFactor * keep.count + kRebuildMinimum) return rebuild(l, keep);
  // The removed runs are read once for their sizes (the deletes are one per element anyway).
  l.meta.bytes -= run_bytes(l, 0, keep.first);
  l.meta.bytes -= run_bytes(l, keep.first + keep.count, size - keep.first - keep.count);
  uint64_t first = l.meta.head + keep.first, end = first + keep.count;
  for (uint64_t i = l.meta.head; i < first; ++i) delete_at(l, i);
  for (uint64_t i = end; i < l.meta.tail; ++i) delete_at(l, i);
  l.meta.head = first;
  l.meta.tail = end;
  l.meta.size = keep.count;
}

}  // namespace basalt::storage::types::list::legacy
