// node/commands/collection_util.h — what the collection command families (hashes, sets,
// lists, sorted sets) share on the command side: opening a type store's key with Redis's
// WRONGTYPE reply, the HSCAN / SSCAN / ZSCAN command (its cursor and reply; the walk is
// Collection::scan), the LMPOP / ZMPOP argument shape, and the numeric argument checks of
// the random and pop commands. The element logic lives in storage/types/.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "node/commands/command.h"
#include "storage/types/collection.h"

namespace basalt::commands {

namespace types = storage::types;
using types::Access;

// Replies the error a store's open / check reported (WRONGTYPE, a corrupt record); true if
// there was none.
bool status_or_reply(Context& c, types::Status status);

// Opens `col` as a `type` collection (Read: counting keyspace hits / misses; Write: expiring
// it first); replies and returns false if the key holds something else.
bool open_or_reply(Context& c, types::Collection& col, storage::ValueType type, Access access);

// A store handle on `key` of the client's db.
template <typename Store = types::Collection>
Store handle(Context& c, std::string_view key) {
  return Store(c.ks, c.db(), key);
}

// Picks with repeats are capped (types::kMaxRandomPicks): replies and returns false above.
using types::kMaxRandomPicks;
bool picks_within_limit_or_reply(Context& c, uint64_t picks);

// The argument checks of the random commands (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER count:
// -LONG_MAX..LONG_MAX) and of SPOP-like counts (0..LONG_MAX, "must be positive").
bool random_count_or_reply(Context& c, std::string_view arg, int64_t& out);
bool positive_count_or_reply(Context& c, std::string_view arg, int64_t& out);

// HSCAN / SSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count]: parses the cursor (arg 2)
// as Redis does, opens the key (arg 1) for reading (missing: an empty scan, options
// unchecked, as Redis), checks the options, then walks the elements whose part starts with
// `part_prefix`, after the element the cursor stands for. MATCH applies to the part (the
// prefix stripped); `emit` appends an element's reply items and returns how many it added.
// A full iteration returns every element that exists throughout it exactly once; COUNT
// bounds the elements visited per call.
struct ScanShape {
  storage::ValueType type;
  std::string_view part_prefix;
  std::function<size_t(std::string_view part, std::string_view value, protocol::ReplyBuilder& out)>
      emit;
};
void scan_collection(Context& c, const ScanShape& shape);

// SCAN / HSCAN / SSCAN / ZSCAN visit at most this many entries per call whatever COUNT says
// (COUNT is a hint in Redis too; a smaller page keeps the cursor contract): a client asking for
// COUNT 10000000 on a big keyspace would otherwise hold the event loop for seconds.
inline constexpr int64_t kMaxScanCount = 100000;

// The arguments LMPOP / BLMPOP / ZMPOP / BZMPOP share, from `numkeys_at` on:
// numkeys key [key ...] <first_word|second_word> [COUNT count]. Checks them in Redis's
// order (numkeys, the end word, then the options) with its error texts; `second` tells
// which end word was given.
struct MultiPopArgs {
  std::span<const std::string_view> keys;
  bool second = false;
  uint64_t count = 1;
};
bool parse_multi_pop_or_reply(Context& c, size_t numkeys_at, std::string_view first_word,
                              std::string_view second_word, MultiPopArgs& out);

}  // namespace basalt::commands
