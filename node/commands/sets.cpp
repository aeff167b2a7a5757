// node/commands/sets.cpp — the set commands (SADD and friends, random picks and pops, the
// algebra SINTER / SUNION / SDIFF with their STORE forms and SINTERCARD, SSCAN). A set is a
// metadata record (storage::CollectionMeta: version, member count) and one sub-key per
// member (part = member, value = ""), so a membership test or change touches one entry.
// SPOP is logged as its effect: SREM of the popped members, or DEL when it took them all.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

using storage::ValueType;

bool open_set(Context& c, std::string_view key, Collection& s, Access access) {
  return open_collection(c, key, ValueType::Set, s, access);
}

bool is_member(Context& c, std::string_view key, const storage::CollectionMeta& meta,
               std::string_view member) {
  std::string unused;
  return c.ks.sub_get(c.db(), key, meta.version, member, unused);
}

bool is_member(Context& c, std::string_view key, const Collection& s, std::string_view member) {
  return s.has_version() && is_member(c, key, s.meta, member);
}

// Adds / removes one member; true if the set changed.
bool add_member(Context& c, std::string_view key, Collection& s, std::string_view member) {
  if (is_member(c, key, s, member)) return false;
  c.ks.sub_put(c.db(), key, s.meta.version, member, "");
  ++s.meta.size;
  return true;
}

bool remove_member(Context& c, std::string_view key, Collection& s, std::string_view member) {
  if (s.meta.size == 0 || !is_member(c, key, s, member)) return false;
  c.ks.sub_delete(c.db(), key, s.meta.version, member);
  --s.meta.size;
  return true;
}

void reply_members(Context& c, const std::vector<std::string>& members) {
  c.reply.array(members.size());
  for (const auto& m : members) c.reply.bulk(m);
}

void sadd(Context& c) {
  std::string_view key = c.arg(1);
  Collection s;
  if (!open_set(c, key, s, Access::Write)) return;
  ensure_version(c, s);
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); ++i) added += add_member(c, key, s, c.arg(i));
  if (added) {
    save_collection(c, key, ValueType::Set, s);
    c.propagate_as_is();
  }
  c.reply.integer(added);
}

void srem(Context& c) {
  std::string_view key = c.arg(1);
  Collection s;
  if (!open_set(c, key, s, Access::Write)) return;
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc(); ++i) removed += remove_member(c, key, s, c.arg(i));
  if (removed) {
    save_collection(c, key, ValueType::Set, s);
    c.propagate_as_is();
  }
  c.reply.integer(removed);
}

void smembers(Context& c) {
  Collection s;
  if (!open_set(c, c.arg(1), s, Access::Read)) return;
  if (!s.exists()) return c.reply.array(0);
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t n = 0;
  for_each_element(c, c.arg(1), s.meta.version, [&](std::string_view member, std::string_view) {
    out.bulk(member);
    ++n;
    return true;
  });
  c.reply.array(n);
  c.reply.raw(body);
}

void sismember(Context& c) {
  Collection s;
  if (!open_set(c, c.arg(1), s, Access::Read)) return;
  c.reply.integer(is_member(c, c.arg(1), s, c.arg(2)) ? 1 : 0);
}

void smismember(Context& c) {
  Collection s;
  if (!open_set(c, c.arg(1), s, Access::Read)) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i)
    c.reply.integer(is_member(c, c.arg(1), s, c.arg(i)) ? 1 : 0);
}

void scard(Context& c) {
  Collection s;
  if (!open_set(c, c.arg(1), s, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(s.meta.size));
}

void spop(Context& c) {
  if (c.argc() > 3) return c.syntax_error();
  bool with_count = c.argc() == 3;
  int64_t count = 1;
  if (with_count && !positive_count_or_reply(c, c.arg(2), count)) return;
  std::string_view key = c.arg(1);
  Collection s;
  if (!open_set(c, key, s, Access::Write)) return;
  if (!s.exists()) return with_count ? c.reply.array(0) : c.reply.null_bulk();
  if (count == 0) return c.reply.array(0);

  auto n = static_cast<uint64_t>(count);
  if (with_count && n >= s.meta.size) {
    // The whole set: reply with it, delete the key, log DEL (as Redis 7.0 does).
    auto all = random_elements(c, key, s.meta.version, s.meta.size, s.meta.size, true);
    c.reply.array(all.size());
    for (const auto& e : all) c.reply.bulk(e.first);
    c.ks.remove(c.db(), key, s.lookup);
    std::string_view args[] = {"DEL", key};
    c.propagate(args);
    return;
  }
  auto popped = random_elements(c, key, s.meta.version, s.meta.size, n, true);
  if (popped.empty()) return with_count ? c.reply.array(0) : c.reply.null_bulk();
  std::vector<std::string_view> srem_args{"SREM", key};
  for (const auto& e : popped) {
    remove_member(c, key, s, e.first);
    srem_args.push_back(e.first);
  }
  save_collection(c, key, ValueType::Set, s);
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
  Collection s;
  if (!open_set(c, c.arg(1), s, Access::Read)) return;
  if (!with_count) {
    if (!s.exists()) return c.reply.null_bulk();
    auto picked = random_elements(c, c.arg(1), s.meta.version, s.meta.size, 1, true);
    if (picked.empty()) return c.reply.null_bulk();
    return c.reply.bulk(picked[0].first);
  }
  if (!s.exists() || l == 0) return c.reply.array(0);
  bool unique = l > 0;
  auto count = static_cast<uint64_t>(unique ? l : -l);
  if (!unique && !picks_within_limit_or_reply(c, count)) return;
  auto picked = random_elements(c, c.arg(1), s.meta.version, s.meta.size, count, unique);
  c.reply.array(picked.size());
  for (const auto& e : picked) c.reply.bulk(e.first);
}

void smove(Context& c) {
  std::string_view from = c.arg(1), to = c.arg(2), member = c.arg(3);
  Collection src, dst;
  c.write_lookup(from, src.lookup);
  c.write_lookup(to, dst.lookup);
  if (!src.exists()) return c.reply.integer(0);
  // Both keys must hold sets (a missing destination is fine).
  if (!check_collection(c, ValueType::Set, src) || !check_collection(c, ValueType::Set, dst))
    return;
  if (from == to) return c.reply.integer(is_member(c, from, src, member) ? 1 : 0);
  if (!remove_member(c, from, src, member)) return c.reply.integer(0);
  save_collection(c, from, ValueType::Set, src);
  ensure_version(c, dst);
  if (add_member(c, to, dst, member)) save_collection(c, to, ValueType::Set, dst);
  c.propagate_as_is();
  c.reply.integer(1);
}

// ---- the set algebra ------------------------------------------------------------------

struct SetInput {
  std::string_view key;
  bool exists = false;
  storage::CollectionMeta meta;
};

// Opens the keys of args [first, first + n) as sets for reading. Every key is checked for
// its type, missing ones included (they are empty sets); false if one was not a set.
bool open_sets(Context& c, size_t first, size_t n, std::vector<SetInput>& out) {
  out.clear();
  for (size_t i = first; i < first + n; ++i) {
    Collection s;
    if (!open_set(c, c.arg(i), s, Access::Read)) return false;
    out.push_back({c.arg(i), s.exists(), s.meta});
  }
  return true;
}

// Members of every set (limit > 0: stop after that many): walks the smallest set and tests
// its members against the others.
std::vector<std::string> intersect(Context& c, std::vector<SetInput> sets, uint64_t limit = 0) {
  std::vector<std::string> out;
  for (const auto& s : sets) {
    if (!s.exists) return out;
  }
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetInput& a, const SetInput& b) { return a.meta.size < b.meta.size; });
  const SetInput& smallest = sets[0];
  for_each_element(c, smallest.key, smallest.meta.version,
                   [&](std::string_view m, std::string_view) {
                     for (size_t j = 1; j < sets.size(); ++j) {
                       if (sets[j].key == smallest.key) continue;
                       if (!is_member(c, sets[j].key, sets[j].meta, m)) return true;
                     }
                     out.emplace_back(m);
                     return limit == 0 || out.size() < limit;
                   });
  return out;
}

std::vector<std::string> unite(Context& c, const std::vector<SetInput>& sets) {
  std::set<std::string, std::less<>> all;
  for (const auto& s : sets) {
    if (!s.exists) continue;
    for_each_element(c, s.key, s.meta.version, [&](std::string_view m, std::string_view) {
      if (all.find(m) == all.end()) all.emplace(m);
      return true;
    });
  }
  return {all.begin(), all.end()};
}

// Members of the first set that are in none of the others.
std::vector<std::string> subtract(Context& c, const std::vector<SetInput>& sets) {
  std::vector<std::string> out;
  const SetInput& first = sets[0];
  if (!first.exists) return out;
  for (size_t j = 1; j < sets.size(); ++j) {
    if (sets[j].key == first.key) return out;  // the same set: nothing is left
  }
  for_each_element(c, first.key, first.meta.version, [&](std::string_view m, std::string_view) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j].exists && is_member(c, sets[j].key, sets[j].meta, m)) return true;
    }
    out.emplace_back(m);
    return true;
  });
  return out;
}

enum class Op { Inter, Union, Diff };

std::vector<std::string> compute(Context& c, Op op, const std::vector<SetInput>& sets) {
  switch (op) {
    case Op::Inter:
      return intersect(c, sets);
    case Op::Union:
      return unite(c, sets);
    case Op::Diff:
      return subtract(c, sets);
  }
  return {};
}

void set_op(Context& c, Op op) {
  std::vector<SetInput> sets;
  if (!open_sets(c, 1, c.argc() - 1, sets)) return;
  reply_members(c, compute(c, op, sets));
}

// Replaces `dst` (whatever it held, TTL dropped) with a set of `members`, or deletes it
// when there are none; logs the command as received if it changed anything.
void store_set(Context& c, std::string_view dst, const std::vector<std::string>& members) {
  core::Lookup old;
  c.write_lookup(dst, old);
  if (members.empty()) {
    if (old.live) {
      c.ks.remove(c.db(), dst, old);
      c.propagate_as_is();
    }
    return c.reply.integer(0);
  }
  storage::CollectionMeta meta;
  meta.version = c.ks.new_version();
  meta.size = members.size();
  for (const auto& m : members) c.ks.sub_put(c.db(), dst, meta.version, m, "");
  c.ks.put(c.db(), dst, ValueType::Set, 0, meta.encode(), old);
  c.propagate_as_is();
  c.reply.integer(static_cast<int64_t>(members.size()));
}

void set_op_store(Context& c, Op op) {
  std::vector<SetInput> sets;
  if (!open_sets(c, 2, c.argc() - 2, sets)) return;
  // Computed in full before the destination (possibly one of the inputs) is written.
  store_set(c, c.arg(1), compute(c, op, sets));
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
  std::vector<SetInput> sets;
  if (!open_sets(c, 2, static_cast<size_t>(numkeys), sets)) return;
  c.reply.integer(static_cast<int64_t>(intersect(c, sets, static_cast<uint64_t>(limit)).size()));
}

void sscan(Context& c) {
  scan_collection(
      c, {ValueType::Set, "",
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
            .doc("set", "Add members to a set"));
  t.add(
      row("srem", -3, kWrite | kFast, srem).keys(1, 1, 1).doc("set", "Remove members from a set"));
  t.add(row("smembers", 2, R, smembers).keys(1, 1, 1).doc("set", "All members of a set"));
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
  t.add(row("srandmember", -2, R, srandmember).keys(1, 1, 1).doc("set", "Random members of a set"));
  t.add(row("smove", 4, kWrite | kFast, smove)
            .keys(1, 2, 1)
            .doc("set", "Move a member between sets"));
  t.add(row("sinter", -2, R, sinter).keys(1, -1, 1).doc("set", "Intersect sets"));
  t.add(row("sunion", -2, R, sunion).keys(1, -1, 1).doc("set", "Union of sets"));
  t.add(row("sdiff", -2, R, sdiff).keys(1, -1, 1).doc("set", "Difference of sets"));
  t.add(row("sinterstore", -3, kWrite | kDenyOom, sinterstore)
            .keys(1, -1, 1)
            .doc("set", "Store the intersection of sets"));
  t.add(row("sunionstore", -3, kWrite | kDenyOom, sunionstore)
            .keys(1, -1, 1)
            .doc("set", "Store the union of sets"));
  t.add(row("sdiffstore", -3, kWrite | kDenyOom, sdiffstore)
            .keys(1, -1, 1)
            .doc("set", "Store the difference of sets"));
  t.add(row("sintercard", -3, R, sintercard)
            .doc("set", "Number of members in the intersection of sets"));
  t.add(row("sscan", -3, R, sscan).keys(1, 1, 1).doc("set", "Iterate the members of a set"));
}

}  // namespace basalt::commands
