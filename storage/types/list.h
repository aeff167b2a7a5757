// storage/types/list.h — the element operations of a list key (see list_encoding.h for the
// layout) that the list commands are written in: push and pop at either end, point reads
// and writes by position, reads of runs of positions, and the middle edits (insert, remove,
// trim) that shift the shorter side. Every operation keeps the metadata (`List::meta`,
// element bytes included: an element removed is read first for its size) in step; the
// caller saves it once at the end with save().
//
// Reads never hold an iterator while the batch is written: runs are read in bounded chunks,
// each through a fresh iterator (which sees the earlier chunks' writes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types/collection.h"
#include "storage/types/list_encoding.h"

namespace basalt::storage::types::list {

enum class End { Head, Tail };  // LEFT / RIGHT

// A list key as a command holds it.
class List : public Collection {
 public:
  using Collection::Collection;
  uint64_t size() const { return meta.tail - meta.head; }
};

// Opens `l` as a list (a missing key is an empty list).
inline Status open(List& l, Access access) {
  return l.open(ValueType::List, access);
}
// Writes the metadata (removing the key when the list became empty). `l.lookup` is stale
// afterwards: look the key up again before another save.
inline void save(List& l) {
  l.save(ValueType::List);
}

void push(List& l, End end, std::string_view value);
// Pops `n` elements (n <= size) from `end`, calling f with each in pop order.
void pop(List& l, End end, uint64_t n, const std::function<void(std::string_view)>& f);

// The element at `position` (< size).
std::string get(const List& l, uint64_t position);
void set(List& l, uint64_t position, std::string_view value);

// Calls f(position, element) for up to `n` elements from `position` towards the tail
// (forward) or the head, until f returns false. f must not write.
void read(const List& l, uint64_t position, uint64_t n, bool forward,
          const std::function<bool(uint64_t position, std::string_view element)>& f);

// Inserts `value` so that it ends up at `position` (0..size).
void insert(List& l, uint64_t position, std::string_view value);
// Removes the elements at `positions` (ascending, distinct, each < size).
void remove(List& l, const std::vector<uint64_t>& positions);
// Keeps only the positions of `keep` (which lies inside the list).
void trim(List& l, Span keep);

}  // namespace basalt::storage::types::list
