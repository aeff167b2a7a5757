// node/commands/zsets/zset_commands.h — what the sorted set command files share: the sorted set
// store's names (storage/types/zset.h, zset_ranges.h), opening a key with the WRONGTYPE
// reply, their registration functions (called by register_zsets_commands in zsets.cpp) and
// the reply helpers for member / score lists.
#pragma once

#include <vector>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "node/commands/zsets/zset_format.h"
#include "storage/types/zset.h"
#include "storage/types/zset_ranges.h"

namespace basalt::commands::zset {

// The sorted set store and its encoding, as the sorted set commands call them.
using namespace storage::types::zset;

// Opens `z` (a handle<ZSet> on a key of the client's db); replies WRONGTYPE and returns false
// if it holds something else (missing is fine).
bool open_zset(Context& c, ZSet& z, Access access);

void register_member_commands(Table& t);   // zsets.cpp: ZADD, ZINCRBY, ZREM, ZSCORE, ...
void register_range_commands(Table& t);    // zset_ranges.cpp: ZRANGE family, ZCOUNT, ZRANK, ...
void register_pop_commands(Table& t);      // zset_pops.cpp: ZPOPMIN / ZPOPMAX, BZPOPMIN / BZPOPMAX
void register_algebra_commands(Table& t);  // zset_algebra.cpp: ZUNIONSTORE, ZINTERSTORE, ...

// A flat RESP2 array of members, each followed by its score if with_scores.
void reply_entries(Context& c, const std::vector<Entry>& entries, bool with_scores);
void reply_score(Context& c, double score);

// Signals blocked clients (BZPOPMIN, ...) that `key` of the current db may be servable.
void signal_ready(Context& c, std::string_view key);

}  // namespace basalt::commands::zset
