// node/commands/zsets/zset_algebra.cpp — the sorted set algebra: ZUNION / ZINTER / ZDIFF, their
// STORE forms and ZINTERCARD, with WEIGHTS and AGGREGATE SUM|MIN|MAX. Inputs may be sorted
// sets or plain sets (members of a set score 1). As Redis, the inputs are taken smallest
// first (stable), which fixes the order in which scores are summed, so floating-point sums
// come out bit for bit as Redis's. A union is accumulated in memory; an intersection or a
// difference walks its first input and probes the others one member at a time.
// The STORE forms are logged as received: their effect is fixed by the data.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "node/commands/zsets/zset_commands.h"
#include "node/protocol/numbers.h"
#include "storage/types/set.h"

namespace basalt::commands::zset {

namespace {

enum class SetOp { Union, Inter, Diff };
enum class Aggregate { Sum, Min, Max };

// One input of the algebra: a sorted set, a set, or a missing key.
struct Source {
  explicit Source(Context& c, std::string_view key) : col(handle(c, key)) {}

  types::Collection col;
  bool is_set = false;  // a plain set: every member scores 1
  double weight = 1.0;

  uint64_t size() const { return col.exists() ? col.meta.size : 0; }

  bool find(std::string_view member, double& score) const {
    if (!col.exists()) return false;
    if (is_set) {
      if (!types::set::contains(col, member)) return false;
      score = 1.0;
      return true;
    }
    return score_of(col, member, score);
  }

  // f(member, score) for every member (in storage order).
  void for_each(const std::function<void(std::string_view, double)>& f) const {
    if (!col.exists()) return;
    if (is_set) {
      col.for_each([&](std::string_view member, std::string_view) {
        f(member, 1.0);
        return true;
      });
      return;
    }
    for_each_member(col, f);
  }
};

void aggregate_into(double& target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::Sum:
      target = target + value;
      break;
    case Aggregate::Min:
      target = value < target ? value : target;
      break;
    case Aggregate::Max:
      target = value > target ? value : target;
      break;
  }
  if (std::isnan(target)) target = 0.0;  // inf + -inf
}

// The whole command, Redis's zunionInterDiffGenericCommand: `numkeys_at` is the index of
// numkeys; `store` puts the result in argument 1; `card_only` is ZINTERCARD.
void setop_generic(Context& c, size_t numkeys_at, bool store, SetOp op, bool card_only) {
  int64_t numkeys;
  if (!protocol::parse_i64(c.arg(numkeys_at), numkeys)) return c.not_integer();
  if (numkeys < 1) {
    return c.reply.error("ERR at least 1 input key is needed for '" + std::string(c.spec.name) +
                         "' command");
  }
  if (numkeys > static_cast<int64_t>(c.argc() - numkeys_at - 1)) return c.syntax_error();
  auto n = static_cast<size_t>(numkeys);
  std::vector<Source> src;
  src.reserve(n);
  size_t j = numkeys_at + 1;
  for (size_t i = 0; i < n; ++i, ++j) {
    src.emplace_back(c, c.arg(j));
    auto& col = src[i].col;
    col.look_up(Access::Read);
    if (!col.exists()) continue;
    src[i].is_set = col.lookup.record.type == storage::ValueType::Set;
    if (!status_or_reply(
            c, col.check(src[i].is_set ? storage::ValueType::Set : storage::ValueType::ZSet)))
      return;
  }
  Aggregate agg = Aggregate::Sum;
  bool with_scores = false;
  int64_t limit = 0;
  while (j < c.argc()) {
    size_t remaining = c.argc() - j;
    std::string_view opt = c.arg(j);
    if (op != SetOp::Diff && !card_only && remaining >= n + 1 && iequals(opt, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        if (!protocol::parse_double(c.arg(j), src[i].weight))
          return c.reply.error("ERR weight value is not a float");
      }
    } else if (op != SetOp::Diff && !card_only && remaining >= 2 && iequals(opt, "aggregate")) {
      std::string_view a = c.arg(j + 1);
      if (iequals(a, "sum"))
        agg = Aggregate::Sum;
      else if (iequals(a, "min"))
        agg = Aggregate::Min;
      else if (iequals(a, "max"))
        agg = Aggregate::Max;
      else
        return c.syntax_error();
      j += 2;
    } else if (!store && !card_only && iequals(opt, "withscores")) {
      with_scores = true;
      ++j;
    } else if (card_only && remaining >= 2 && iequals(opt, "limit")) {
      if (!protocol::parse_i64(c.arg(j + 1), limit) || limit < 0)
        return c.reply.error("ERR LIMIT can't be negative");
      j += 2;
    } else {
      return c.syntax_error();
    }
  }
  if (op != SetOp::Diff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }

  std::vector<Entry> result;
  if (op == SetOp::Union) {
    std::unordered_map<std::string, double> acc;
    for (const auto& s : src) {
      s.for_each([&](std::string_view member, double score) {
        double value = s.weight * score;
        if (std::isnan(value)) value = 0;
        auto [it, fresh] = acc.try_emplace(std::string(member), value);
        if (!fresh) aggregate_into(it->second, value, agg);
      });
    }
    result.reserve(acc.size());
    for (auto& [member, score] : acc) result.emplace_back(member, score);
  } else if (src[0].size() > 0) {
    bool done = false;
    src[0].for_each([&](std::string_view member, double score) {
      if (done) return;
      double total = src[0].weight * score;
      if (std::isnan(total)) total = 0;
      for (size_t i = 1; i < n; ++i) {
        double value;
        bool found = src[i].find(member, value);
        if (op == SetOp::Inter) {
          if (!found) return;
          aggregate_into(total, value * src[i].weight, agg);
        } else if (found) {
          return;
        }
      }
      if (op == SetOp::Diff) total = score;
      result.emplace_back(member, total);
      if (card_only && limit > 0 && static_cast<int64_t>(result.size()) >= limit) done = true;
    });
  }

  if (card_only) return c.reply.integer(static_cast<int64_t>(result.size()));
  if (store) {
    if (replace_with_entries(c.ks, c.db(), c.arg(1), result)) {
      c.propagate_as_is();
      if (!result.empty()) signal_ready(c, c.arg(1));
    }
    return c.reply.integer(static_cast<int64_t>(result.size()));
  }
  std::sort(result.begin(), result.end(), [](const Entry& a, const Entry& b) {
    if (a.second != b.second) return a.second < b.second;
    return a.first < b.first;
  });
  reply_entries(c, result, with_scores);
}

void zunionstore(Context& c) {
  setop_generic(c, 2, true, SetOp::Union, false);
}
void zinterstore(Context& c) {
  setop_generic(c, 2, true, SetOp::Inter, false);
}
void zdiffstore(Context& c) {
  setop_generic(c, 2, true, SetOp::Diff, false);
}
void zunion(Context& c) {
  setop_generic(c, 1, false, SetOp::Union, false);
}
void zinter(Context& c) {
  setop_generic(c, 1, false, SetOp::Inter, false);
}
void zdiff(Context& c) {
  setop_generic(c, 1, false, SetOp::Diff, false);
}
void zintercard(Context& c) {
  setop_generic(c, 1, false, SetOp::Inter, true);
}

}  // namespace

void register_algebra_commands(Table& t) {
  constexpr std::string_view G = "sorted_set";
  constexpr auto W = kWrite | kDenyOom | kMayBeHeavy;
  t.add(row("zunionstore", -4, W, zunionstore)
            .numkeys(2)
            .keys(1, 1, 1)
            .doc(G, "Store the union of sorted sets"));
  t.add(row("zinterstore", -4, W, zinterstore)
            .numkeys(2)
            .keys(1, 1, 1)
            .doc(G, "Store the intersection of sorted sets"));
  t.add(row("zdiffstore", -4, W, zdiffstore)
            .numkeys(2)
            .keys(1, 1, 1)
            .doc(G, "Store the difference of sorted sets"));
  t.add(row("zunion", -3, kReadOnly | kMayBeHeavyRead, zunion)
            .numkeys(1)
            .doc(G, "The union of sorted sets"));
  t.add(row("zinter", -3, kReadOnly | kMayBeHeavyRead, zinter)
            .numkeys(1)
            .doc(G, "The intersection of sorted sets"));
  t.add(row("zdiff", -3, kReadOnly | kMayBeHeavyRead, zdiff)
            .numkeys(1)
            .doc(G, "The difference of sorted sets"));
  t.add(row("zintercard", -3, kReadOnly | kMayBeHeavyRead, zintercard)
            .numkeys(1)
            .doc(G, "Number of members in the intersection of sorted sets"));
}

}  // namespace basalt::commands::zset
