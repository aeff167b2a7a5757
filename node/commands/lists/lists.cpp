// node/commands/lists/lists.cpp — the list commands that never block: pushes, pops, reads by index
// and range, LSET / LINSERT / LREM / LTRIM / LPOS, LMOVE / RPOPLPUSH and LMPOP, with Redis
// 7.0's replies and errors, over the list store (storage/types/list.h). Writes are logged as given
// (they are deterministic) and only when they changed something; LMPOP is logged as [LR]POP key n.
// Commands that add elements wake the clients blocked on the key (list_blocking.cpp has the
// blocking forms).
#include <algorithm>
#include <string>
#include <vector>

#include "node/commands/lists/list_commands.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace list {

bool parse_end_or_reply(Context& c, std::string_view arg, End& out) {
  if (iequals(arg, "left")) {
    out = End::Head;
  } else if (iequals(arg, "right")) {
    out = End::Tail;
  } else {
    c.syntax_error();
    return false;
  }
  return true;
}

std::string_view end_word(End end) {
  return end == End::Head ? "left" : "right";
}

bool open(Context& c, List& l, Access access) {
  return status_or_reply(c, storage::types::list::open(l, access));
}

void signal(Context& c, std::string_view key) {
  if (c.ks.off_loop()) return;  // a heavy job: it signals the keys it wrote once committed
  c.node.blocking().signal_key(c.db(), key);
}

Outcome pop_first(Context& c, std::span<const std::string_view> keys, End end,
                  std::optional<uint64_t> count) {
  for (std::string_view key : keys) {
    auto l = handle<List>(c, key);
    if (!open(c, l, Access::Write)) return Outcome::Failed;
    if (!l.exists()) continue;
    std::string_view verb = end == End::Head ? "LPOP" : "RPOP";
    c.reply.array(2);
    c.reply.bulk(key);
    if (!count) {
      pop(l, end, 1, [&](std::string_view e) { c.reply.bulk(e); });
      std::string_view args[] = {verb, key};
      c.propagate(args);
    } else {
      uint64_t n = std::min(*count, l.size());
      c.reply.array(n);
      pop(l, end, n, [&](std::string_view e) { c.reply.bulk(e); });
      std::string popped = std::to_string(n);
      std::string_view args[] = {verb, key, popped};
      c.propagate(args);
    }
    save(l);
    return Outcome::Served;
  }
  return Outcome::Empty;
}

Outcome move(Context& c, std::string_view source, std::string_view destination, End from, End to) {
  auto src = handle<List>(c, source);
  if (!open(c, src, Access::Write)) return Outcome::Failed;
  if (!src.exists()) return Outcome::Empty;
  std::string value;
  auto take = [&](std::string_view e) { value.assign(e); };
  if (source == destination) {
    pop(src, from, 1, take);
    push(src, to, value);
    save(src);
  } else {
    auto dst = handle<List>(c, destination);
    if (!open(c, dst, Access::Write)) return Outcome::Failed;
    pop(src, from, 1, take);
    push(dst, to, value);
    save(src);
    save(dst);
  }
  c.reply.bulk(value);
  signal(c, destination);
  return Outcome::Served;
}

bool parse_mpop_or_reply(Context& c, size_t numkeys_at, MpopArgs& out) {
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(c, numkeys_at, "left", "right", args)) return false;
  out.keys = args.keys;
  out.end = args.second ? End::Tail : End::Head;
  out.count = args.count;
  return true;
}

}  // namespace list

namespace {

using list::End;
using list::List;
using list::Outcome;

// LPUSH, RPUSH, LPUSHX, RPUSHX.
void push_generic(Context& c, End end, bool only_existing) {
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (only_existing && !l.exists()) return c.reply.integer(0);
  for (size_t i = 2; i < c.argc(); ++i) list::push(l, end, c.arg(i));
  list::save(l);
  c.propagate_as_is();
  list::signal(c, l.key());
  c.reply.integer(static_cast<int64_t>(l.size()));
}

void lpush(Context& c) {
  push_generic(c, End::Head, false);
}
void rpush(Context& c) {
  push_generic(c, End::Tail, false);
}
void lpushx(Context& c) {
  push_generic(c, End::Head, true);
}
void rpushx(Context& c) {
  push_generic(c, End::Tail, true);
}

// LPOP key [count], RPOP key [count]: a count answers an array (nil array for a missing key).
void pop_generic(Context& c, End end) {
  if (c.argc() > 3) return c.wrong_arity();
  bool has_count = c.argc() == 3;
  int64_t count = 1;
  if (has_count && !positive_count_or_reply(c, c.arg(2), count)) return;
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (!l.exists()) return has_count ? c.reply.null_array() : c.reply.null_bulk();
  if (has_count && count == 0) return c.reply.array(0);
  uint64_t n = std::min(static_cast<uint64_t>(count), l.size());
  if (has_count) c.reply.array(n);
  list::pop(l, end, n, [&](std::string_view e) { c.reply.bulk(e); });
  list::save(l);
  c.propagate_as_is();
}

void lpop(Context& c) {
  pop_generic(c, End::Head);
}
void rpop(Context& c) {
  pop_generic(c, End::Tail);
}

void llen(Context& c) {
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(l.size()));
}

void lrange(Context& c) {
  int64_t start, end;
  if (!protocol::parse_i64(c.arg(2), start) || !protocol::parse_i64(c.arg(3), end))
    return c.not_integer();
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Read)) return;
  list::Span span = list::clamp_range(start, end, l.size());
  c.reply.array(span.count);
  uint64_t sent = 0;
  list::read(l, span.first, span.count, true, [&](uint64_t, std::string_view e) {
    c.reply.bulk(e);
    ++sent;
    return true;
  });
  for (; sent < span.count; ++sent) c.reply.null_bulk();  // only if the elements are damaged
}

void lindex(Context& c) {
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Read)) return;
  if (!l.exists()) return c.reply.null_bulk();
  int64_t index;
  if (!protocol::parse_i64(c.arg(2), index)) return c.not_integer();
  uint64_t position;
  if (!list::resolve_index(index, l.size(), position)) return c.reply.null_bulk();
  c.reply.bulk(list::get(l, position));
}

void lset(Context& c) {
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (!l.exists()) return c.reply.error("ERR no such key");
  int64_t index;
  if (!protocol::parse_i64(c.arg(2), index)) return c.not_integer();
  uint64_t position;
  if (!list::resolve_index(index, l.size(), position))
    return c.reply.error("ERR index out of range");
  list::set(l, position, c.arg(3));
  list::save(l);  // the element bytes changed
  c.propagate_as_is();
  c.reply.ok();
}

void linsert(Context& c) {
  bool after;
  if (iequals(c.arg(2), "after"))
    after = true;
  else if (iequals(c.arg(2), "before"))
    after = false;
  else
    return c.syntax_error();
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (!l.exists()) return c.reply.integer(0);
  std::optional<uint64_t> pivot;
  list::read(l, 0, l.size(), true, [&](uint64_t position, std::string_view e) {
    if (e != c.arg(3)) return true;
    pivot = position;
    return false;
  });
  if (!pivot) return c.reply.integer(-1);
  list::insert(l, *pivot + (after ? 1 : 0), c.arg(4));
  list::save(l);
  c.propagate_as_is();
  list::signal(c, l.key());
  c.reply.integer(static_cast<int64_t>(l.size()));
}

void lrem(Context& c) {
  int64_t count;
  if (!protocol::parse_i64(c.arg(2), count)) return c.not_integer();
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (!l.exists()) return c.reply.integer(0);
  // count > 0: the first `count` matches from the head; < 0: from the tail; 0: all of them.
  bool forward = count >= 0;
  uint64_t limit = count > 0   ? static_cast<uint64_t>(count)
                   : count < 0 ? 0 - static_cast<uint64_t>(count)
                               : UINT64_MAX;
  std::vector<uint64_t> positions;
  uint64_t size = l.size();
  list::read(l, forward ? 0 : size - 1, size, forward, [&](uint64_t position, std::string_view e) {
    if (e == c.arg(3)) positions.push_back(position);
    return positions.size() < limit;
  });
  if (!forward) std::reverse(positions.begin(), positions.end());
  if (!positions.empty()) {
    list::remove(l, positions);
    list::save(l);
    c.propagate_as_is();
  }
  c.reply.integer(static_cast<int64_t>(positions.size()));
}

void ltrim(Context& c) {
  int64_t start, end;
  if (!protocol::parse_i64(c.arg(2), start) || !protocol::parse_i64(c.arg(3), end))
    return c.not_integer();
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Write)) return;
  if (!l.exists()) return c.reply.ok();
  list::Span keep = list::clamp_range(start, end, l.size());
  if (keep.count != l.size()) {
    list::trim(l, keep);
    list::save(l);
    c.propagate_as_is();
  }
  c.reply.ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len], as Redis 7.0's lposCommand
// (including its wrap-around for RANK -9223372036854775808).
void lpos(Context& c) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: not given
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string_view opt = c.arg(i);
    bool more = i + 1 < c.argc();
    if (iequals(opt, "rank") && more) {
      if (!protocol::parse_i64(c.arg(++i), rank)) return c.not_integer();
      if (rank == 0) {
        return c.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
    } else if (iequals(opt, "count") && more) {
      if (!protocol::parse_i64(c.arg(++i), count) || count < 0)
        return c.reply.error("ERR COUNT can't be negative");
    } else if (iequals(opt, "maxlen") && more) {
      if (!protocol::parse_i64(c.arg(++i), maxlen) || maxlen < 0)
        return c.reply.error("ERR MAXLEN can't be negative");
    } else {
      return c.syntax_error();
    }
  }
  bool forward = true;
  if (rank < 0) {
    rank = static_cast<int64_t>(0 - static_cast<uint64_t>(rank));
    forward = false;
  }
  auto l = handle<List>(c, c.arg(1));
  if (!list::open(c, l, Access::Read)) return;
  if (!l.exists()) return count != -1 ? c.reply.array(0) : c.reply.null_bulk();
  uint64_t size = l.size();
  uint64_t scan = maxlen == 0 ? size : std::min(size, static_cast<uint64_t>(maxlen));
  int64_t matches = 0;
  std::vector<uint64_t> found;
  list::read(l, forward ? 0 : size - 1, scan, forward, [&](uint64_t position, std::string_view e) {
    if (e != c.arg(2)) return true;
    ++matches;
    if (matches < rank) return true;
    found.push_back(position);
    if (count == -1) return false;
    auto taken =
        static_cast<int64_t>(static_cast<uint64_t>(matches) - static_cast<uint64_t>(rank) + 1);
    return count == 0 || taken < count;
  });
  if (count == -1) {
    if (found.empty()) return c.reply.null_bulk();
    return c.reply.integer(static_cast<int64_t>(found[0]));
  }
  c.reply.array(found.size());
  for (uint64_t position : found) c.reply.integer(static_cast<int64_t>(position));
}

void lmove_generic(Context& c, End from, End to) {
  Outcome r = list::move(c, c.arg(1), c.arg(2), from, to);
  if (r == Outcome::Empty) return c.reply.null_bulk();
  if (r == Outcome::Served) c.propagate_as_is();
}

void lmove(Context& c) {
  End from, to;
  if (!list::parse_end_or_reply(c, c.arg(3), from) || !list::parse_end_or_reply(c, c.arg(4), to))
    return;
  lmove_generic(c, from, to);
}

void rpoplpush(Context& c) {
  lmove_generic(c, End::Tail, End::Head);
}

void lmpop(Context& c) {
  list::MpopArgs args;
  if (!list::parse_mpop_or_reply(c, 1, args)) return;
  if (list::pop_first(c, args.keys, args.end, args.count) == Outcome::Empty) c.reply.null_array();
}

}  // namespace

void register_lists_commands(Table& t) {
  constexpr std::string_view G = "list";
  constexpr auto W = kWrite | kDenyOom;
  t.add(row("lpush", -3, W | kFast, lpush).keys(1, 1, 1).doc(G, "Prepend elements to a list"));
  t.add(row("rpush", -3, W | kFast, rpush).keys(1, 1, 1).doc(G, "Append elements to a list"));
  t.add(row("lpushx", -3, W | kFast, lpushx)
            .keys(1, 1, 1)
            .doc(G, "Prepend elements to an existing list"));
  t.add(row("rpushx", -3, W | kFast, rpushx)
            .keys(1, 1, 1)
            .doc(G, "Append elements to an existing list"));
  t.add(row("lpop", -2, kWrite | kFast, lpop)
            .keys(1, 1, 1)
            .doc(G, "Remove and get the first elements"));
  t.add(row("rpop", -2, kWrite | kFast, rpop)
            .keys(1, 1, 1)
            .doc(G, "Remove and get the last elements"));
  t.add(row("llen", 2, kReadOnly | kFast, llen).keys(1, 1, 1).doc(G, "Get the length of a list"));
  t.add(row("lrange", 4, kReadOnly | kMayBeHeavyRead, lrange)
            .keys(1, 1, 1)
            .doc(G, "Get a range of elements"));
  t.add(row("lindex", 3, kReadOnly, lindex).keys(1, 1, 1).doc(G, "Get an element by its index"));
  t.add(row("lset", 4, W, lset).keys(1, 1, 1).doc(G, "Set the element at an index"));
  t.add(row("linsert", 5, W, linsert)
            .keys(1, 1, 1)
            .doc(G, "Insert an element before or after another"));
  t.add(row("lrem", 4, kWrite, lrem).keys(1, 1, 1).doc(G, "Remove elements equal to a value"));
  t.add(row("ltrim", 4, kWrite, ltrim).keys(1, 1, 1).doc(G, "Trim a list to a range"));
  t.add(row("lpos", -3, kReadOnly | kMayBeHeavyRead, lpos)
            .keys(1, 1, 1)
            .doc(G, "Positions of matching elements"));
  t.add(
      row("lmove", 5, W, lmove).keys(1, 2, 1).doc(G, "Pop an element and push it to another list"));
  t.add(row("rpoplpush", 3, W, rpoplpush)
            .keys(1, 2, 1)
            .doc(G, "Remove the last element and push it to another list"));
  t.add(row("lmpop", -4, kWrite, lmpop)
            .numkeys(1)
            .doc(G, "Pop elements from the first non-empty list"));
  list::register_blocking_commands(t);
}

}  // namespace basalt::commands
