// node/commands/lists/list_commands.h — what the list commands (lists.cpp) and their blocking forms
// (list_blocking.cpp) share: the list store's names (storage/types/list.h), opening a list
// with the WRONGTYPE reply, waking blocked clients, the LEFT / RIGHT words, the
// pop-from-the-first-non-empty-key step of BLPOP / LMPOP / BLMPOP, the move step of LMOVE /
// BLMOVE, the LMPOP argument shape, and the registration of the blocking commands.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "storage/types/list.h"

namespace basalt::commands::list {

// The list store, as the list commands call it.
using storage::types::list::clamp_range;
using storage::types::list::End;
using storage::types::list::get;
using storage::types::list::insert;
using storage::types::list::List;
using storage::types::list::pop;
using storage::types::list::push;
using storage::types::list::read;
using storage::types::list::remove;
using storage::types::list::resolve_index;
using storage::types::list::save;
using storage::types::list::set;
using storage::types::list::Span;
using storage::types::list::trim;

// "LEFT" / "RIGHT" (case-insensitive) as LMOVE / BLMOVE read them; replies a syntax error
// and returns false otherwise.
bool parse_end_or_reply(Context& c, std::string_view arg, End& out);
// The word Redis propagates for an end when it writes LMOVE itself ("left" / "right").
std::string_view end_word(End end);

// Opens `l` (a handle<List> on a key of the client's db; Read: counting keyspace hits /
// misses). Replies WRONGTYPE and returns false if it holds another type; a missing key is
// an empty list.
bool open(Context& c, List& l, Access access);
// Wakes the clients blocked on the key (after elements were added to it).
void signal(Context& c, std::string_view key);

// How a step that may find nothing went. On Failed an error has been replied.
enum class Outcome { Served, Empty, Failed };

// Pops from the first of `keys` that holds elements (WRONGTYPE stops the scan, as Redis).
// Served: replied [key, element] and propagated [LR]POP key (BLPOP shape, no count), or
// replied [key, [elements...]] with up to `count` elements and propagated [LR]POP key n with
// the number popped (LMPOP shape).
Outcome pop_first(Context& c, std::span<const std::string_view> keys, End end,
                  std::optional<uint64_t> count);

// Moves one element from `source`'s `from` end to `destination`'s `to` end. Served: replied
// the element; the caller propagates (LMOVE as given, BLMOVE as LMOVE, ...).
Outcome move(Context& c, std::string_view source, std::string_view destination, End from, End to);

// LMPOP / BLMPOP arguments from `numkeys_at` on: numkeys key... LEFT|RIGHT [COUNT count].
struct MpopArgs {
  std::span<const std::string_view> keys;
  End end = End::Head;
  uint64_t count = 1;
};
bool parse_mpop_or_reply(Context& c, size_t numkeys_at, MpopArgs& out);

// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (list_blocking.cpp).
void register_blocking_commands(Table& t);

}  // namespace basalt::commands::list
