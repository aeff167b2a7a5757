// storage/types/zset_ranges.cpp — see zset_ranges.h.
#include "storage/types/zset_ranges.h"

namespace basalt::storage::types::zset {

namespace {

// Redis's rank range normalisation; false when the range is empty.
bool normalize_ranks(int64_t& start, int64_t& end, uint64_t size) {
  auto len = static_cast<int64_t>(size);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return false;
  if (end >= len) end = len - 1;
  return true;
}

// Skips `offset` entries, then takes up to `limit` (negative: no limit) while `in_range`.
template <typename InRange>
void take(IndexCursor& cur, int64_t offset, int64_t limit, InRange in_range,
          std::vector<Entry>& out) {
  for (; cur.valid() && offset > 0; --offset) cur.next();
  for (; cur.valid() && limit != 0; cur.next(), --limit) {
    if (!in_range(cur)) break;
    out.push_back(cur.entry());
  }
}

// Positions `cur` (walking forwards or backwards) on the first entry of a lex range as
// Redis's zzlFirstInLexRange / zzlLastInLexRange find it; false if there is none.
bool to_lex_start(const ZSet& z, const LexRange& r, IndexCursor& cur, bool reverse) {
  if (!z.exists() || r.always_empty()) return false;
  // The range must reach the set: its last member >= min and its first member <= max.
  IndexCursor first(z, false), last(z, true);
  first.to_first();
  last.to_first();
  if (!first.valid() || !last.valid()) return false;
  if (!r.gte_min(last.member()) || !r.lte_max(first.member())) return false;
  const LexBound& bound = reverse ? r.max : r.min;
  if (first.score() == last.score() && bound.kind == LexBound::Value) {
    // All scores equal: members are in byte order, one seek finds the start.
    cur.to_entry(first.score(), bound.value);
    if (bound.exclusive && cur.valid() && cur.member() == bound.value) cur.next();
  } else {
    cur.to_first();
    while (cur.valid() && !(reverse ? r.lte_max(cur.member()) : r.gte_min(cur.member())))
      cur.next();
  }
  return cur.valid() && (reverse ? r.gte_min(cur.member()) : r.lte_max(cur.member()));
}

}  // namespace

std::vector<Entry> by_rank(const ZSet& z, int64_t start, int64_t end, bool reverse) {
  std::vector<Entry> out;
  if (!z.exists() || !normalize_ranks(start, end, z.size())) return out;
  IndexCursor cur(z, reverse);
  cur.to_rank(static_cast<uint64_t>(start), z.size());
  for (int64_t i = start; i <= end && cur.valid(); ++i, cur.next()) out.push_back(cur.entry());
  return out;
}

std::vector<Entry> by_score(const ZSet& z, const ScoreRange& r, bool reverse, int64_t offset,
                            int64_t limit) {
  std::vector<Entry> out;
  if (!z.exists() || r.always_empty() || offset < 0) return out;
  if (offset > 0 && static_cast<uint64_t>(offset) >= z.size()) return out;
  IndexCursor cur(z, reverse);
  if (!reverse) {
    cur.to_score(r.min, r.minex);
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.lte_max(e.score()); }, out);
  } else {
    cur.to_score(r.max, r.maxex);
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.gte_min(e.score()); }, out);
  }
  return out;
}

std::vector<Entry> by_lex(const ZSet& z, const LexRange& r, bool reverse, int64_t offset,
                          int64_t limit) {
  std::vector<Entry> out;
  if (offset < 0 || (offset > 0 && static_cast<uint64_t>(offset) >= z.size())) return out;
  IndexCursor cur(z, reverse);
  if (!to_lex_start(z, r, cur, reverse)) return out;
  if (!reverse) {
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.lte_max(e.member()); }, out);
  } else {
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.gte_min(e.member()); }, out);
  }
  return out;
}

uint64_t count_in_score_range(const ZSet& z, const ScoreRange& r) {
  uint64_t n = 0;
  if (z.exists() && !r.always_empty()) {
    IndexCursor cur(z, false);
    for (cur.to_score(r.min, r.minex); cur.valid() && r.lte_max(cur.score()); cur.next()) ++n;
  }
  return n;
}

uint64_t count_in_lex_range(const ZSet& z, const LexRange& r) {
  uint64_t n = 0;
  IndexCursor cur(z, false);
  if (to_lex_start(z, r, cur, false)) {
    for (; cur.valid() && r.lte_max(cur.member()); cur.next()) ++n;
  }
  return n;
}

std::optional<uint64_t> rank_of(const ZSet& z, std::string_view member, bool reverse) {
  double score;
  if (!score_of(z, member, score)) return std::nullopt;
  IndexCursor fwd(z, false), bwd(z, true);
  fwd.to_first();
  bwd.to_first();
  for (uint64_t i = 0; fwd.valid() || bwd.valid(); ++i) {
    uint64_t rank;
    if (fwd.valid() && fwd.member() == member) {
      rank = i;
    } else if (bwd.valid() && bwd.member() == member) {
      rank = z.size() - 1 - i;
    } else {
      fwd.next();
      bwd.next();
      continue;
    }
    if (reverse) rank = z.size() - 1 - rank;
    return rank;
  }
  return std::nullopt;
}

}  // namespace basalt::storage::types::zset
