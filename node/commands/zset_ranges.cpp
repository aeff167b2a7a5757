// node/commands/zset_ranges.cpp — the sorted set range commands: ZRANGE (by rank, BYSCORE,
// BYLEX, REV, LIMIT, WITHSCORES) and its older forms ZREVRANGE, Z[REV]RANGEBYSCORE,
// Z[REV]RANGEBYLEX, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZRANK / ZREVRANK and
// ZREMRANGEBYRANK / SCORE / LEX. They walk the score index, so a range costs the entries it
// returns plus the walk to its start (from the nearer end for ranks).
//
// Lex ranges follow Redis's walk over a small sorted set exactly: they are meant for sets
// whose scores are all equal (then the start is found by one seek); with mixed scores the
// answer is what Redis gives, found by walking the index in score order.
// ZREMRANGEBY* and ZRANGESTORE are logged as received: their effect is fixed by the data.
#include <string>
#include <vector>

#include "node/commands/zset_commands.h"
#include "node/protocol/numbers.h"

namespace basalt::commands::zset {

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

std::vector<Entry> by_rank(Context& c, const ZSet& z, int64_t start, int64_t end, bool reverse) {
  std::vector<Entry> out;
  if (!z.exists() || !normalize_ranks(start, end, z.size())) return out;
  IndexCursor cur(c, z, reverse);
  cur.to_rank(static_cast<uint64_t>(start), z.size());
  for (int64_t i = start; i <= end && cur.valid(); ++i, cur.next()) out.push_back(cur.entry());
  return out;
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

std::vector<Entry> by_score(Context& c, const ZSet& z, const ScoreRange& r, bool reverse,
                            int64_t offset, int64_t limit) {
  std::vector<Entry> out;
  if (!z.exists() || r.always_empty() || offset < 0) return out;
  if (offset > 0 && static_cast<uint64_t>(offset) >= z.size()) return out;
  IndexCursor cur(c, z, reverse);
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

// Positions `cur` (walking forwards or backwards) on the first entry of a lex range as
// Redis's zzlFirstInLexRange / zzlLastInLexRange find it; false if there is none.
bool to_lex_start(Context& c, const ZSet& z, const LexRange& r, IndexCursor& cur, bool reverse) {
  if (!z.exists() || r.always_empty()) return false;
  // The range must reach the set: its last member >= min and its first member <= max.
  IndexCursor first(c, z, false), last(c, z, true);
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

std::vector<Entry> by_lex(Context& c, const ZSet& z, const LexRange& r, bool reverse,
                          int64_t offset, int64_t limit) {
  std::vector<Entry> out;
  if (offset < 0 || (offset > 0 && static_cast<uint64_t>(offset) >= z.size())) return out;
  IndexCursor cur(c, z, reverse);
  if (!to_lex_start(c, z, r, cur, reverse)) return out;
  if (!reverse) {
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.lte_max(e.member()); }, out);
  } else {
    take(
        cur, offset, limit, [&](const IndexCursor& e) { return r.gte_min(e.member()); }, out);
  }
  return out;
}

enum class RangeType { Auto, Rank, Score, Lex };

// ZRANGE and every older form. `first` is the index of the source key; `dst` is set for
// ZRANGESTORE; `type` / `reverse` are preset by the older forms (then the words BYSCORE,
// BYLEX, REV are syntax errors).
void zrange_generic(Context& c, size_t first, bool store, RangeType type, int reverse_preset) {
  int reverse = reverse_preset;  // -1: not given yet
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t j = first + 3; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    std::string_view opt = c.arg(j);
    if (!store && iequals(opt, "withscores")) {
      with_scores = true;
    } else if (iequals(opt, "limit") && left >= 2) {
      if (!protocol::parse_i64(c.arg(j + 1), offset) || !protocol::parse_i64(c.arg(j + 2), limit))
        return c.not_integer();
      has_limit = true;
      j += 2;
    } else if (reverse < 0 && iequals(opt, "rev")) {
      reverse = 1;
    } else if (type == RangeType::Auto && iequals(opt, "bylex")) {
      type = RangeType::Lex;
    } else if (type == RangeType::Auto && iequals(opt, "byscore")) {
      type = RangeType::Score;
    } else {
      return c.syntax_error();
    }
  }
  bool rev = reverse > 0;
  if (type == RangeType::Auto) type = RangeType::Rank;
  // As Redis 7.0 checks it: a LIMIT whose count is -1 (no limit) passes with a rank range.
  if (has_limit && limit != -1 && type == RangeType::Rank) {
    return c.reply.error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (with_scores && type == RangeType::Lex)
    return c.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  // By score and by lex, a reverse range is given as max, min.
  std::string_view lo = c.arg(first + 1), hi = c.arg(first + 2);
  if (rev && type != RangeType::Rank) std::swap(lo, hi);
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (type) {
    case RangeType::Score:
      if (!parse_score_range(lo, hi, score_range))
        return c.reply.error("ERR min or max is not a float");
      break;
    case RangeType::Lex:
      if (!parse_lex_range(lo, hi, lex_range))
        return c.reply.error("ERR min or max not valid string range item");
      break;
    default:
      if (!protocol::parse_i64(lo, start) || !protocol::parse_i64(hi, end)) return c.not_integer();
      break;
  }
  ZSet z;
  if (!open_zset(c, c.arg(first), z, store ? Access::Write : Access::Read)) return;
  std::vector<Entry> entries;
  if (type == RangeType::Score)
    entries = by_score(c, z, score_range, rev, offset, limit);
  else if (type == RangeType::Lex)
    entries = by_lex(c, z, lex_range, rev, offset, limit);
  else
    entries = by_rank(c, z, start, end, rev);
  if (!store) return reply_entries(c, entries, with_scores);
  if (replace_with_entries(c, c.arg(1), entries)) {
    c.propagate_as_is();
    if (!entries.empty()) signal_ready(c, c.arg(1));
  }
  c.reply.integer(static_cast<int64_t>(entries.size()));
}

void zrange(Context& c) {
  zrange_generic(c, 1, false, RangeType::Auto, -1);
}
void zrangestore(Context& c) {
  zrange_generic(c, 2, true, RangeType::Auto, -1);
}
void zrevrange(Context& c) {
  zrange_generic(c, 1, false, RangeType::Rank, 1);
}
void zrangebyscore(Context& c) {
  zrange_generic(c, 1, false, RangeType::Score, 0);
}
void zrevrangebyscore(Context& c) {
  zrange_generic(c, 1, false, RangeType::Score, 1);
}
void zrangebylex(Context& c) {
  zrange_generic(c, 1, false, RangeType::Lex, 0);
}
void zrevrangebylex(Context& c) {
  zrange_generic(c, 1, false, RangeType::Lex, 1);
}

void zcount(Context& c) {
  ScoreRange r;
  if (!parse_score_range(c.arg(2), c.arg(3), r))
    return c.reply.error("ERR min or max is not a float");
  ZSet z;
  if (!open_zset(c, c.arg(1), z, Access::Read)) return;
  int64_t n = 0;
  if (z.exists() && !r.always_empty()) {
    IndexCursor cur(c, z, false);
    for (cur.to_score(r.min, r.minex); cur.valid() && r.lte_max(cur.score()); cur.next()) ++n;
  }
  c.reply.integer(n);
}

void zlexcount(Context& c) {
  LexRange r;
  if (!parse_lex_range(c.arg(2), c.arg(3), r))
    return c.reply.error("ERR min or max not valid string range item");
  ZSet z;
  if (!open_zset(c, c.arg(1), z, Access::Read)) return;
  int64_t n = 0;
  IndexCursor cur(c, z, false);
  if (to_lex_start(c, z, r, cur, false)) {
    for (; cur.valid() && r.lte_max(cur.member()); cur.next()) ++n;
  }
  c.reply.integer(n);
}

// ZRANK / ZREVRANK: walks from both ends at once, so the cost is the distance to the
// nearer end.
void rank_generic(Context& c, bool reverse) {
  ZSet z;
  if (!open_zset(c, c.arg(1), z, Access::Read)) return;
  double score;
  std::string_view member = c.arg(2);
  if (!score_of(c, z, member, score)) return c.reply.null_bulk();
  IndexCursor fwd(c, z, false), bwd(c, z, true);
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
    return c.reply.integer(static_cast<int64_t>(rank));
  }
  c.reply.null_bulk();
}

void zrank(Context& c) {
  rank_generic(c, false);
}
void zrevrank(Context& c) {
  rank_generic(c, true);
}

enum class RemoveBy { Rank, Score, Lex };

void zremrange_generic(Context& c, RemoveBy by) {
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (by) {
    case RemoveBy::Rank:
      if (!protocol::parse_i64(c.arg(2), start) || !protocol::parse_i64(c.arg(3), end))
        return c.not_integer();
      break;
    case RemoveBy::Score:
      if (!parse_score_range(c.arg(2), c.arg(3), score_range))
        return c.reply.error("ERR min or max is not a float");
      break;
    case RemoveBy::Lex:
      if (!parse_lex_range(c.arg(2), c.arg(3), lex_range))
        return c.reply.error("ERR min or max not valid string range item");
      break;
  }
  ZSet z;
  if (!open_zset(c, c.arg(1), z, Access::Write)) return;
  std::vector<Entry> doomed;  // collected first: the batch must not change under the cursor
  if (by == RemoveBy::Rank)
    doomed = by_rank(c, z, start, end, false);
  else if (by == RemoveBy::Score)
    doomed = by_score(c, z, score_range, false, 0, -1);
  else
    doomed = by_lex(c, z, lex_range, false, 0, -1);
  for (const auto& [member, score] : doomed) erase_member(c, z, member, score);
  if (!doomed.empty()) {
    save_zset(c, z);
    c.propagate_as_is();
  }
  c.reply.integer(static_cast<int64_t>(doomed.size()));
}

void zremrangebyrank(Context& c) {
  zremrange_generic(c, RemoveBy::Rank);
}
void zremrangebyscore(Context& c) {
  zremrange_generic(c, RemoveBy::Score);
}
void zremrangebylex(Context& c) {
  zremrange_generic(c, RemoveBy::Lex);
}

}  // namespace

void register_range_commands(Table& t) {
  constexpr std::string_view G = "sorted_set";
  constexpr auto R = kReadOnly;
  t.add(row("zrange", -4, R, zrange)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of ranks, scores or names"));
  t.add(row("zrangestore", -5, kWrite | kDenyOom, zrangestore)
            .keys(1, 2, 1)
            .doc(G, "Store a range of a sorted set in another key"));
  t.add(row("zrevrange", -4, R, zrevrange)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of ranks, high to low"));
  t.add(row("zrangebyscore", -4, R, zrangebyscore)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of scores"));
  t.add(row("zrevrangebyscore", -4, R, zrevrangebyscore)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of scores, high to low"));
  t.add(row("zrangebylex", -4, R, zrangebylex).keys(1, 1, 1).doc(G, "Members in a range of names"));
  t.add(row("zrevrangebylex", -4, R, zrevrangebylex)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of names, high to low"));
  t.add(row("zcount", 4, R | kFast, zcount)
            .keys(1, 1, 1)
            .doc(G, "Number of members in a score range"));
  t.add(row("zlexcount", 4, R | kFast, zlexcount)
            .keys(1, 1, 1)
            .doc(G, "Number of members in a name range"));
  t.add(row("zrank", 3, R | kFast, zrank).keys(1, 1, 1).doc(G, "Rank of a member, low to high"));
  t.add(row("zrevrank", 3, R | kFast, zrevrank)
            .keys(1, 1, 1)
            .doc(G, "Rank of a member, high to low"));
  t.add(row("zremrangebyrank", 4, kWrite, zremrangebyrank)
            .keys(1, 1, 1)
            .doc(G, "Remove the members in a range of ranks"));
  t.add(row("zremrangebyscore", 4, kWrite, zremrangebyscore)
            .keys(1, 1, 1)
            .doc(G, "Remove the members in a range of scores"));
  t.add(row("zremrangebylex", 4, kWrite, zremrangebylex)
            .keys(1, 1, 1)
            .doc(G, "Remove the members in a range of names"));
}

}  // namespace basalt::commands::zset
