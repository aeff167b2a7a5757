// node/commands/list_commands.h — what the list commands (lists.cpp) and their blocking forms
// (list_blocking.cpp) share: the pop-from-the-first-non-empty-key step of BLPOP / LMPOP /
// BLMPOP, the move step of LMOVE / BLMOVE, the LMPOP argument shape, and the registration of
// the blocking commands.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "node/commands/command_table.h"
#include "node/commands/list_store.h"

namespace basalt::commands::list {

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
