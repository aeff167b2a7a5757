// node/commands/list_store.h — the element operations of a list key (see list_encoding.h for
// the layout) that the list commands are written in: push and pop at either end, point reads
// and writes by position, reads of runs of positions, and the middle edits (insert, remove,
// trim) that shift the shorter side. Every operation keeps the metadata (`List::meta`) in
// step; the command saves it once at the end with save().
//
// Reads never hold an iterator while the batch is written: runs are read in bounded chunks,
// each through a fresh iterator (which sees the earlier chunks' writes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/collection_util.h"
#include "node/commands/list_encoding.h"

namespace basalt::commands::list {

enum class End { Head, Tail };  // LEFT / RIGHT

// "LEFT" / "RIGHT" (case-insensitive) as LMOVE / BLMOVE read them; replies a syntax error
// and returns false otherwise.
bool parse_end_or_reply(Context& c, std::string_view arg, End& out);
// The word Redis propagates for an end when it writes LMOVE itself ("left" / "right").
std::string_view end_word(End end);

// A list key as a command holds it.
struct List : Collection {
  std::string_view key;
  uint64_t size() const { return meta.tail - meta.head; }
};

// Opens `key` as a list (Read: counting keyspace hits / misses). Replies WRONGTYPE and
// returns false if it holds another type; a missing key is an empty list.
bool open(Context& c, std::string_view key, List& l, Access access);
// The same for a key already looked up into `l.lookup`.
bool check(Context& c, List& l);
// Writes the metadata (removing the key when the list became empty). `l.lookup` is stale
// afterwards: look the key up again before another save.
void save(Context& c, const List& l);
// Wakes the clients blocked on the key (after elements were added to it).
void signal(Context& c, std::string_view key);

void push(Context& c, List& l, End end, std::string_view value);
// Pops `n` elements (n <= size) from `end`, calling f with each in pop order.
void pop(Context& c, List& l, End end, uint64_t n, const std::function<void(std::string_view)>& f);

// The element at `position` (< size).
std::string get(Context& c, const List& l, uint64_t position);
void set(Context& c, const List& l, uint64_t position, std::string_view value);

// Calls f(position, element) for up to `n` elements from `position` towards the tail
// (forward) or the head, until f returns false. f must not write.
void read(Context& c, const List& l, uint64_t position, uint64_t n, bool forward,
          const std::function<bool(uint64_t position, std::string_view element)>& f);

// Inserts `value` so that it ends up at `position` (0..size).
void insert(Context& c, List& l, uint64_t position, std::string_view value);
// Removes the elements at `positions` (ascending, distinct, each < size).
void remove(Context& c, List& l, const std::vector<uint64_t>& positions);
// Keeps only the positions of `keep` (which lies inside the list).
void trim(Context& c, List& l, Span keep);

}  // namespace basalt::commands::list
