// node/commands/zsets/zset_ranges.cpp — the sorted set range commands: ZRANGE (by rank, BYSCORE,
// BYLEX, REV, LIMIT, WITHSCORES) and its older forms ZREVRANGE, Z[REV]RANGEBYSCORE,
// Z[REV]RANGEBYLEX, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZRANK / ZREVRANK and
// ZREMRANGEBYRANK / SCORE / LEX: their options, errors and replies; the walks over the score
// index are storage/types/zset_ranges.h.
// ZREMRANGEBY* and ZRANGESTORE are logged as received: their effect is fixed by the data.
#include <optional>
#include <string>
#include <vector>

#include "node/commands/zsets/zset_commands.h"
#include "node/protocol/numbers.h"

namespace basalt::commands::zset {

namespace {

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
  auto z = handle<ZSet>(c, c.arg(first));
  if (!open_zset(c, z, store ? Access::Write : Access::Read)) return;
  std::vector<Entry> entries;
  if (type == RangeType::Score)
    entries = by_score(z, score_range, rev, offset, limit);
  else if (type == RangeType::Lex)
    entries = by_lex(z, lex_range, rev, offset, limit);
  else
    entries = by_rank(z, start, end, rev);
  if (!store) return reply_entries(c, entries, with_scores);
  if (replace_with_entries(c.ks, c.db(), c.arg(1), entries)) {
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
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(count_in_score_range(z, r)));
}

void zlexcount(Context& c) {
  LexRange r;
  if (!parse_lex_range(c.arg(2), c.arg(3), r))
    return c.reply.error("ERR min or max not valid string range item");
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(count_in_lex_range(z, r)));
}

// ZRANK / ZREVRANK.
void rank_generic(Context& c, bool reverse) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  std::optional<uint64_t> rank = rank_of(z, c.arg(2), reverse);
  if (!rank) return c.reply.null_bulk();
  c.reply.integer(static_cast<int64_t>(*rank));
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
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Write)) return;
  std::vector<Entry> doomed;  // collected first: the batch must not change under the cursor
  if (by == RemoveBy::Rank)
    doomed = by_rank(z, start, end, false);
  else if (by == RemoveBy::Score)
    doomed = by_score(z, score_range, false, 0, -1);
  else
    doomed = by_lex(z, lex_range, false, 0, -1);
  for (const auto& [member, score] : doomed) erase_member(z, member, score);
  if (!doomed.empty()) {
    save(z);
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
  t.add(row("zrange", -4, R | kMayBeHeavyRead, zrange)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of ranks, scores or names"));
  t.add(row("zrangestore", -5, kWrite | kDenyOom | kMayBeHeavy, zrangestore)
            .keys(1, 2, 1)
            .doc(G, "Store a range of a sorted set in another key"));
  t.add(row("zrevrange", -4, R | kMayBeHeavyRead, zrevrange)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of ranks, high to low"));
  t.add(row("zrangebyscore", -4, R | kMayBeHeavyRead, zrangebyscore)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of scores"));
  t.add(row("zrevrangebyscore", -4, R | kMayBeHeavyRead, zrevrangebyscore)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of scores, high to low"));
  t.add(row("zrangebylex", -4, R | kMayBeHeavyRead, zrangebylex)
            .keys(1, 1, 1)
            .doc(G, "Members in a range of names"));
  t.add(row("zrevrangebylex", -4, R | kMayBeHeavyRead, zrevrangebylex)
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
