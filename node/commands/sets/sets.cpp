// node/commands/sets/sets.cpp — the set commands (SADD and friends, random picks and pops, the
// algebra SINTER / SUNION / SDIFF with their STORE forms and SINTERCARD, SSCAN): argument
// parsing, replies and propagation over the set store (storage/types/set.h).
// SPOP is logged as its effect: SREM of the popped members, or DEL when it took them all.
#include <string>
#include <vector>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "node/protocol/numbers.h"
#include "storage/types/set.h"

namespace basalt::commands {

namespace {

using types::Collection;
namespace set = types::set;

bool open_set(Context& c, Collection& s, Access access) {
  return status_or_reply(c, set::open(s, access));
}

void reply_members(Context& c, const std::vector<std::string>& members) {
  c.reply.array(members.size());
  for (const auto& m : members) c.reply.bulk(m);
}

void sadd(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Write)) return;
  s.ensure_version();
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); ++i) added += set::add(s, c.arg(i));
  if (added) {
    set::save(s);
    c.propagate_as_is();
  }
  c.reply.integer(added);
}

void srem(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Write)) return;
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc(); ++i) removed += set::remove(s, c.arg(i));
  if (removed) {
    set::save(s);
    c.propagate_as_is();
  }
  c.reply.integer(removed);
}

void smembers(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Read)) return;
  if (!s.exists()) return c.reply.array(0);
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t n = 0;
  s.for_each([&](std::string_view member, std::string_view) {
    out.bulk(member);
    ++n;
    return true;
  });
  c.reply.array(n);
  c.reply.raw(body);
}

void sismember(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Read)) return;
  c.reply.integer(set::contains(s, c.arg(2)) ? 1 : 0);
}

void smismember(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Read)) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) c.reply.integer(set::contains(s, c.arg(i)) ? 1 : 0);
}

void scard(Context& c) {
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(s.meta.size));
}

void spop(Context& c) {
  if (c.argc() > 3) return c.syntax_error();
  bool with_count = c.argc() == 3;
  int64_t count = 1;
  if (with_count && !positive_count_or_reply(c, c.arg(2), count)) return;
  std::string_view key = c.arg(1);
  auto s = handle(c, key);
  if (!open_set(c, s, Access::Write)) return;
  if (!s.exists()) return with_count ? c.reply.array(0) : c.reply.null_bulk();
  if (count == 0) return c.reply.array(0);

  auto n = static_cast<uint64_t>(count);
  if (with_count && n >= s.meta.size) {
    // The whole set: reply with it, delete the key, log DEL (as Redis 7.0 does).
    auto all = s.random(s.meta.size, true);
    c.reply.array(all.size());
    for (const auto& e : all) c.reply.bulk(e.first);
    s.remove_key();
    std::string_view args[] = {"DEL", key};
    c.propagate(args);
    return;
  }
  auto popped = s.random_to_remove(n);
  if (popped.empty()) return with_count ? c.reply.array(0) : c.reply.null_bulk();
  std::vector<std::string_view> srem_args{"SREM", key};
  for (const auto& e : popped) {
    set::remove_present(s, e.first);
    srem_args.push_back(e.first);
  }
  set::save(s);
  c.propagate(srem_args);
  if (!with_count) return c.reply.bulk(popped[0].first);
  c.reply.array(popped.size());
  for (const auto& e : popped) c.reply.bulk(e.first);
}

void srandmember(Context& c) {
  if (c.argc() > 3) return c.syntax_error();
  bool with_count = c.argc() == 3;
  int64_t l = 1;
  if (with_count && !random_count_or_reply(c, c.arg(2), l)) return;
  auto s = handle(c, c.arg(1));
  if (!open_set(c, s, Access::Read)) return;
  if (!with_count) {
    if (!s.exists()) return c.reply.null_bulk();
    auto picked = s.random(1, true);
    if (picked.empty()) return c.reply.null_bulk();
    return c.reply.bulk(picked[0].first);
  }
  if (!s.exists() || l == 0) return c.reply.array(0);
  bool unique = l > 0;
  auto count = static_cast<uint64_t>(unique ? l : -l);
  if (!unique && !picks_within_limit_or_reply(c, count)) return;
  auto picked = s.random(count, unique);
  c.reply.array(picked.size());
  for (const auto& e : picked) c.reply.bulk(e.first);
}

void smove(Context& c) {
  std::string_view from = c.arg(1), to = c.arg(2), member = c.arg(3);
  auto src = handle(c, from), dst = handle(c, to);
  src.look_up(Access::Write);
  dst.look_up(Access::Write);
  if (!src.exists()) return c.reply.integer(0);
  // Both keys must hold sets (a missing destination is fine).
  if (!status_or_reply(c, set::check(src)) || !status_or_reply(c, set::check(dst))) return;
  if (from == to) return c.reply.integer(set::contains(src, member) ? 1 : 0);
  if (!set::remove(src, member)) return c.reply.integer(0);
  set::save(src);
  dst.ensure_version();
  if (set::add(dst, member)) set::save(dst);
  c.propagate_as_is();
  c.reply.integer(1);
}

// ---- the set algebra ------------------------------------------------------------------

// Opens the keys of args [first, first + n) as sets for reading. Every key is checked for
// its type, missing ones included (they are empty sets); false if one was not a set.
bool open_sets(Context& c, size_t first, size_t n, std::vector<Collection>& out) {
  out.clear();
  out.reserve(n);
  for (size_t i = first; i < first + n; ++i) {
    out.push_back(handle(c, c.arg(i)));
    if (!open_set(c, out.back(), Access::Read)) return false;
  }
  return true;
}

std::vector<const Collection*> inputs(const std::vector<Collection>& sets) {
  std::vector<const Collection*> out;
  out.reserve(sets.size());
  for (const auto& s : sets) out.push_back(&s);
  return out;
}

enum class Op { Inter, Union, Diff };

std::vector<std::string> compute(Op op, const std::vector<Collection>& sets) {
  switch (op) {
    case Op::Inter:
      return set::intersect(inputs(sets));
    case Op::Union:
      return set::unite(inputs(sets));
    case Op::Diff:
      return set::subtract(inputs(sets));
  }
  return {};
}

void set_op(Context& c, Op op) {
  std::vector<Collection> sets;
  if (!open_sets(c, 1, c.argc() - 1, sets)) return;
  reply_members(c, compute(op, sets));
}

// Replaces `dst` (whatever it held, TTL dropped) with a set of `members`, or deletes it
// when there are none; logs the command as received if it changed anything.
void store_set(Context& c, std::string_view dst, const std::vector<std::string>& members) {
  if (set::replace(c.ks, c.db(), dst, members)) c.propagate_as_is();
  c.reply.integer(static_cast<int64_t>(members.size()));
}

void set_op_store(Context& c, Op op) {
  std::vector<Collection> sets;
  if (!open_sets(c, 2, c.argc() - 2, sets)) return;
  // Computed in full before the destination (possibly one of the inputs) is written.
  store_set(c, c.arg(1), compute(op, sets));
}

void sinter(Context& c) {
  set_op(c, Op::Inter);
}
void sunion(Context& c) {
  set_op(c, Op::Union);
}
void sdiff(Context& c) {
  set_op(c, Op::Diff);
}
void sinterstore(Context& c) {
  set_op_store(c, Op::Inter);
}
void sunionstore(Context& c) {
  set_op_store(c, Op::Union);
}
void sdiffstore(Context& c) {
  set_op_store(c, Op::Diff);
}

void sintercard(Context& c) {
  int64_t numkeys;
  if (!protocol::parse_i64(c.arg(1), numkeys) || numkeys < 1)
    return c.reply.error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(numkeys) > c.argc() - 2)
    return c.reply.error("ERR Number of keys can't be greater than number of args");
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < c.argc(); ++j) {
    if (iequals(c.arg(j), "limit") && j + 1 < c.argc()) {
      ++j;
      if (!protocol::parse_i64(c.arg(j), limit) || limit < 0)
        return c.reply.error("ERR LIMIT can't be negative");
    } else {
      return c.syntax_error();
    }
  }
  std::vector<Collection> sets;
  if (!open_sets(c, 2, static_cast<size_t>(numkeys), sets)) return;
  auto members = set::intersect(inputs(sets), static_cast<uint64_t>(limit));
  c.reply.integer(static_cast<int64_t>(members.size()));
}

void sscan(Context& c) {
  scan_collection(
      c, {storage::ValueType::Set, "",
          [](std::string_view member, std::string_view, protocol::ReplyBuilder& out) -> size_t {
            out.bulk(member);
            return 1;
          }});
}

}  // namespace

void register_sets_commands(Table& t) {
  constexpr auto R = kReadOnly;
  t.add(row("sadd", -3, kWrite | kDenyOom | kFast, sadd)
            .keys(1, 1, 1)
            .elements(2, -1, 1)
            .doc("set", "Add members to a set"));
  t.add(row("srem", -3, kWrite | kFast, srem)
            .keys(1, 1, 1)
            .elements(2, -1, 1)
            .doc("set", "Remove members from a set"));
  t.add(row("smembers", 2, R | kMayBeHeavyRead, smembers)
            .keys(1, 1, 1)
            .doc("set", "All members of a set"));
  t.add(row("sismember", 3, R | kFast, sismember)
            .keys(1, 1, 1)
            .doc("set", "Whether a member is in a set"));
  t.add(row("smismember", -3, R | kFast, smismember)
            .keys(1, 1, 1)
            .doc("set", "Whether members are in a set"));
  t.add(row("scard", 2, R | kFast, scard).keys(1, 1, 1).doc("set", "Number of members in a set"));
  t.add(row("spop", -2, kWrite | kFast, spop)
            .keys(1, 1, 1)
            .doc("set", "Remove and return random members"));
  t.add(row("srandmember", -2, R | kMayBeHeavyRead, srandmember)
            .keys(1, 1, 1)
            .doc("set", "Random members of a set"));
  t.add(row("smove", 4, kWrite | kFast, smove)
            .keys(1, 2, 1)
            .elements(3, 3, 1)
            .doc("set", "Move a member between sets"));
  t.add(row("sinter", -2, R | kMayBeHeavyRead, sinter).keys(1, -1, 1).doc("set", "Intersect sets"));
  t.add(row("sunion", -2, R | kMayBeHeavyRead, sunion).keys(1, -1, 1).doc("set", "Union of sets"));
  t.add(
      row("sdiff", -2, R | kMayBeHeavyRead, sdiff).keys(1, -1, 1).doc("set", "Difference of sets"));
  t.add(row("sinterstore", -3, kWrite | kDenyOom | kMayBeHeavy, sinterstore)
            .keys(1, -1, 1)
            .doc("set", "Store the intersection of sets"));
  t.add(row("sunionstore", -3, kWrite | kDenyOom | kMayBeHeavy, sunionstore)
            .keys(1, -1, 1)
            .doc("set", "Store the union of sets"));
  t.add(row("sdiffstore", -3, kWrite | kDenyOom | kMayBeHeavy, sdiffstore)
            .keys(1, -1, 1)
            .doc("set", "Store the difference of sets"));
  t.add(row("sintercard", -3, R | kMayBeHeavyRead, sintercard)
            .numkeys(1)
            .doc("set", "Number of members in the intersection of sets"));
  t.add(row("sscan", -3, R, sscan).keys(1, 1, 1).doc("set", "Iterate the members of a set"));
}

}  // namespace basalt::commands
