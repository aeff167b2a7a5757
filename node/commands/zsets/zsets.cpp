// node/commands/zsets/zsets.cpp — the sorted set family's registration, and its member commands:
// ZADD (NX / XX / GT / LT / CH / INCR), ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANDMEMBER,
// ZSCAN. The store is storage/types/zset.h; ranges, pops and the set algebra live in
// zset_ranges.cpp, zset_pops.cpp and zset_algebra.cpp. ZADD / ZINCRBY / ZREM are logged as
// received: their effect is fixed by their arguments and the data.
#include <cmath>
#include <string>
#include <vector>

#include "node/commands/zsets/zset_commands.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace zset {

void reply_score(Context& c, double score) {
  c.reply.bulk(format_score(score));
}

void reply_entries(Context& c, const std::vector<Entry>& entries, bool with_scores) {
  c.reply.array(entries.size() * (with_scores ? 2 : 1));
  for (const auto& [member, score] : entries) {
    c.reply.bulk(member);
    if (with_scores) reply_score(c, score);
  }
}

bool open_zset(Context& c, ZSet& z, Access access) {
  return status_or_reply(c, storage::types::zset::open(z, access));
}

void signal_ready(Context& c, std::string_view key) {
  if (c.ks.off_loop()) return;  // a heavy job: it signals the keys it wrote once committed
  c.node.blocking().signal_key(c.db(), key);
}

namespace {

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// ZADD and ZINCRBY: score-member pairs from argument `first`.
void zadd_generic(Context& c, size_t first, const ZaddFlags& f) {
  size_t pairs = c.argc() - first;
  if (pairs == 0 || pairs % 2) return c.syntax_error();
  pairs /= 2;
  if (f.nx && f.xx)
    return c.reply.error("ERR XX and NX options at the same time are not compatible");
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt))
    return c.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  if (f.incr && pairs > 1)
    return c.reply.error("ERR INCR option supports a single increment-element pair");
  // Every score is checked before anything changes: the command applies fully or not at all.
  std::vector<double> scores(pairs);
  for (size_t j = 0; j < pairs; ++j) {
    if (!protocol::parse_double(c.arg(first + 2 * j), scores[j])) return c.not_float();
  }
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Write)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (z.exists() || !f.xx) {
    z.ensure_version();
    for (size_t j = 0; j < pairs; ++j) {
      std::string_view member = c.arg(first + 2 * j + 1);
      score = scores[j];
      double current;
      if (score_of(z, member, current)) {
        if (f.nx) continue;
        if (f.incr) {
          score += current;
          if (std::isnan(score)) return c.reply.error("ERR resulting score is not a number (NaN)");
        }
        if ((f.lt && score >= current) || (f.gt && score <= current)) continue;
        ++processed;
        if (score != current) {
          change_score(z, member, current, score);
          ++updated;
        }
      } else if (!f.xx) {
        insert_member(z, member, score);
        ++added;
        ++processed;
      }
    }
  }
  if (added + updated > 0) {
    save(z);
    c.propagate_as_is();
    if (added) signal_ready(c, z.key());
  }
  if (f.incr) {
    if (processed)
      reply_score(c, score);
    else
      c.reply.null_bulk();
  } else {
    c.reply.integer(f.ch ? added + updated : added);
  }
}

// ZADD's flags from argument `i` on; returns where the score-member pairs start. ZINCRBY
// parses them too (as Redis, which runs it as ZADD INCR), so "ZINCRBY key NX m" is a syntax
// error, not a bad increment.
size_t parse_zadd_flags(Context& c, size_t i, ZaddFlags& f) {
  for (; i < c.argc(); ++i) {
    std::string_view opt = c.arg(i);
    if (iequals(opt, "nx"))
      f.nx = true;
    else if (iequals(opt, "xx"))
      f.xx = true;
    else if (iequals(opt, "gt"))
      f.gt = true;
    else if (iequals(opt, "lt"))
      f.lt = true;
    else if (iequals(opt, "ch"))
      f.ch = true;
    else if (iequals(opt, "incr"))
      f.incr = true;
    else
      break;
  }
  return i;
}

void zadd(Context& c) {
  ZaddFlags f;
  zadd_generic(c, parse_zadd_flags(c, 2, f), f);
}

void zincrby(Context& c) {
  ZaddFlags f;
  f.incr = true;
  zadd_generic(c, parse_zadd_flags(c, 2, f), f);
}

void zrem(Context& c) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Write)) return;
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc() && z.exists(); ++i) {
    double score;
    if (!score_of(z, c.arg(i), score)) continue;
    erase_member(z, c.arg(i), score);
    ++removed;
  }
  if (removed) {
    save(z);
    c.propagate_as_is();
  }
  c.reply.integer(removed);
}

void zcard(Context& c) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(z.size()));
}

void zscore(Context& c) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  double score;
  if (score_of(z, c.arg(2), score))
    reply_score(c, score);
  else
    c.reply.null_bulk();
}

void zmscore(Context& c) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Read)) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    double score;
    if (score_of(z, c.arg(i), score))
      reply_score(c, score);
    else
      c.reply.null_bulk();
  }
}

constexpr uint64_t kMaxRepeats = 16 * 1024 * 1024;

void zrandmember(Context& c) {
  auto z = handle<ZSet>(c, c.arg(1));
  if (c.argc() == 2) {
    if (!open_zset(c, z, Access::Read)) return;
    if (!z.exists()) return c.reply.null_bulk();
    auto picked = random_members(z, 1, true);
    if (picked.empty()) return c.reply.null_bulk();
    return c.reply.bulk(picked[0].first);
  }
  int64_t count;
  if (!random_count_or_reply(c, c.arg(2), count)) return;
  bool with_scores = false;
  if (c.argc() > 3) {
    if (c.argc() != 4 || !iequals(c.arg(3), "withscores")) return c.syntax_error();
    with_scores = true;
  }
  if (with_scores && count < -(INT64_MAX / 2)) return c.reply.error("ERR value is out of range");
  if (!open_zset(c, z, Access::Read)) return;
  if (!z.exists() || count == 0) return c.reply.array(0);
  bool unique = count > 0;
  auto n = static_cast<uint64_t>(count > 0 ? count : -count);
  // Redis would stream any number of repeats until memory runs out; basalt builds the reply
  // in memory, so it refuses counts it could not hold.
  if (!unique && n > kMaxRepeats) return c.reply.error("ERR value is out of range");
  reply_entries(c, random_members(z, n, unique), with_scores);
}

void zscan(Context& c) {
  ScanShape shape{storage::ValueType::ZSet, std::string_view(&kMemberTag, 1),
                  [](std::string_view member, std::string_view value, protocol::ReplyBuilder& out) {
                    out.bulk(member);
                    out.bulk(format_listpack_score(read_score(value)));
                    return size_t{2};
                  }};
  scan_collection(c, shape);
}

}  // namespace

void register_member_commands(Table& t) {
  constexpr std::string_view G = "sorted_set";
  constexpr auto R = kReadOnly;
  t.add(row("zadd", -4, kWrite | kDenyOom | kFast, zadd)
            .keys(1, 1, 1)
            .elements(3, -1, 2)  // (misplaced by options: NX, CH, ...)
            .doc(G, "Add members to a sorted set, or update their scores"));
  t.add(row("zincrby", 4, kWrite | kDenyOom | kFast, zincrby)
            .keys(1, 1, 1)
            .elements(3, 3, 1)
            .doc(G, "Increment the score of a member"));
  t.add(row("zrem", -3, kWrite | kFast, zrem)
            .keys(1, 1, 1)
            .elements(2, -1, 1)
            .doc(G, "Remove members from a sorted set"));
  t.add(
      row("zcard", 2, R | kFast, zcard).keys(1, 1, 1).doc(G, "Number of members in a sorted set"));
  t.add(row("zscore", 3, R | kFast, zscore).keys(1, 1, 1).doc(G, "Score of a member"));
  t.add(row("zmscore", -3, R | kFast, zmscore).keys(1, 1, 1).doc(G, "Scores of several members"));
  t.add(row("zrandmember", -2, R | kMayBeHeavyRead, zrandmember)
            .keys(1, 1, 1)
            .doc(G, "Random members of a sorted set"));
  t.add(row("zscan", -3, R, zscan)
            .keys(1, 1, 1)
            .doc(G, "Iterate the members and scores of a sorted set"));
}

}  // namespace zset

void register_zsets_commands(Table& t) {
  zset::register_member_commands(t);
  zset::register_range_commands(t);
  zset::register_pop_commands(t);
  zset::register_algebra_commands(t);
}

}  // namespace basalt::commands
