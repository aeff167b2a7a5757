// node/commands/collection_util.h — what the collection families (hashes, sets; lists and
// sorted sets may use it too) share: opening a collection key with Redis's WRONGTYPE rule,
// saving its metadata record after its elements changed (removing the key once empty),
// walking its elements, uniform random picks (HRANDFIELD, SRANDMEMBER, SPOP), the
// HSCAN / SSCAN / ZSCAN loop, the LMPOP / ZMPOP argument shape, and the numeric argument
// checks those commands share.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/commands/command.h"
#include "storage/collection.h"

namespace basalt::commands {

// A collection key as a command sees it: the lookup (for writes: the `old` of ks.put /
// ks.remove) and its metadata (zeroed when the key is missing).
struct Collection {
  core::Lookup lookup;
  storage::CollectionMeta meta;
  bool exists() const { return lookup.live; }
  // True once it has a version: it exists, or ensure_version() made one for a new key, so
  // its elements (including those this command added) can be read.
  bool has_version() const { return meta.version != 0; }
  uint64_t expire_at_ms() const { return lookup.live ? lookup.record.expire_at_ms : 0; }
};

enum class Access { Read, Write };

// Looks `key` up (Read: counting keyspace hits / misses; Write: expiring it first) and
// decodes its metadata. Replies WRONGTYPE (or an error for a corrupt record) and returns
// false if the key holds something else; a missing key is fine (exists() is false).
bool open_collection(Context& c, std::string_view key, storage::ValueType type, Collection& out,
                     Access access);

// The same for a key already looked up into `col.lookup` (commands that must look several
// keys up before checking their types, as SMOVE).
bool check_collection(Context& c, storage::ValueType type, Collection& col);

// Gives a missing collection a fresh version, so elements can be added to it.
void ensure_version(Context& c, Collection& col);

// Writes the metadata record after the elements changed: removes the key when it became
// empty, else stores the metadata keeping the key's TTL. `col.lookup` is stale afterwards.
void save_collection(Context& c, std::string_view key, storage::ValueType type,
                     const Collection& col);

// Calls f(part, value) for each element of (key, version) whose part starts with
// `part_prefix` (the prefix is stripped), in key order, until f returns false. The batch
// must not be written while this runs.
void for_each_element(Context& c, std::string_view key, uint64_t version,
                      const std::function<bool(std::string_view part, std::string_view value)>& f,
                      std::string_view part_prefix = {});

using Element = std::pair<std::string, std::string>;  // (part, value)

// Random elements of a collection of `size` elements, as Redis's random commands pick them:
// unique: min(count, size) distinct elements (all of them, in key order, when count >= size);
// otherwise: `count` (at most kMaxRandomPicks) independent uniform draws, in draw order.
// One pass over the elements: O(size) time, O(min(count, size)) memory.
std::vector<Element> random_elements(Context& c, std::string_view key, uint64_t version,
                                     uint64_t size, uint64_t count, bool unique);

// At most this many picks with repeats (a negative count) per command: Redis would stream
// any number, basalt refuses more rather than build an unbounded reply. random_elements
// clamps to it; commands check it first with picks_within_limit_or_reply.
inline constexpr uint64_t kMaxRandomPicks = uint64_t{1} << 20;
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
