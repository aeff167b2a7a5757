// node/commands/zset_commands.h — what the sorted set command files share: their
// registration functions (called by register_zsets_commands in zsets.cpp) and the reply
// helpers for member / score lists.
#pragma once

#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/zset_store.h"

namespace basalt::commands::zset {

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
