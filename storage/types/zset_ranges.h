// storage/types/zset_ranges.h — the range queries over a sorted set's score index: entries
// by rank, by score and by lex range (with REV / LIMIT's offset and count), the number of
// entries in a score or lex range, and a member's rank. They walk the index, so a range
// costs the entries it returns plus the walk to its start (from the nearer end for ranks).
//
// Lex ranges follow Redis's walk over a small sorted set exactly: they are meant for sets
// whose scores are all equal (then the start is found by one seek); with mixed scores the
// answer is what Redis gives, found by walking the index in score order.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "storage/types/zset.h"

namespace basalt::storage::types::zset {

// Entries at ranks [start, end] (negative: from the end, Redis's clamping), in walking order.
std::vector<Entry> by_rank(const ZSet& z, int64_t start, int64_t end, bool reverse);
// Entries in a score / lex range: `offset` skipped, then up to `limit` (negative: no limit).
std::vector<Entry> by_score(const ZSet& z, const ScoreRange& r, bool reverse, int64_t offset,
                            int64_t limit);
std::vector<Entry> by_lex(const ZSet& z, const LexRange& r, bool reverse, int64_t offset,
                          int64_t limit);

uint64_t count_in_score_range(const ZSet& z, const ScoreRange& r);
uint64_t count_in_lex_range(const ZSet& z, const LexRange& r);

// The rank of `member` (low to high, or high to low if reverse); nothing if it is not there.
// Walks from both ends at once, so the cost is the distance to the nearer end.
std::optional<uint64_t> rank_of(const ZSet& z, std::string_view member, bool reverse);

}  // namespace basalt::storage::types::zset
