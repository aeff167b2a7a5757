// node/commands/zsets/zset_pops.cpp — ZPOPMIN / ZPOPMAX / ZMPOP and their blocking forms BZPOPMIN /
// BZPOPMAX / BZMPOP. A pop is logged as its effect, ZREM of the popped members. A blocking
// pop that finds every key empty hands a wait to the connection (core::block_until_served):
// when a write signals one of its keys, it runs ZPOPMIN / ZPOPMAX / ZMPOP through the write
// pipeline, so the pop served after the wait is one ordinary write, logged as ZREM.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "node/commands/block_timeout.h"
#include "node/commands/zsets/zset_commands.h"
#include "node/core/blocking.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands::zset {

namespace {

// Pops up to `count` members from the low (or high) end of an existing set; logs ZREM.
std::vector<Entry> pop_entries(Context& c, ZSet& z, uint64_t count, bool max) {
  std::vector<Entry> popped = pop(z, count, max);
  if (popped.empty()) return popped;
  std::vector<std::string_view> zrem;
  zrem.reserve(popped.size() + 2);
  zrem.emplace_back("ZREM");
  zrem.emplace_back(z.key());
  for (const auto& e : popped) zrem.emplace_back(e.first);
  c.propagate(zrem);
  return popped;
}

void zpop_generic(Context& c, bool max) {
  if (c.argc() > 3) return c.syntax_error();
  int64_t count = 1;
  bool has_count = c.argc() == 3;
  if (has_count && !positive_count_or_reply(c, c.arg(2), count)) return;
  auto z = handle<ZSet>(c, c.arg(1));
  if (!open_zset(c, z, Access::Write)) return;
  if (!z.exists() || count == 0) return c.reply.array(0);
  reply_entries(c, pop_entries(c, z, static_cast<uint64_t>(count), max), true);
}

void zpopmin(Context& c) {
  zpop_generic(c, false);
}
void zpopmax(Context& c) {
  zpop_generic(c, true);
}

// The reply of a blocking pop: key, member, score.
void reply_with_key(Context& c, std::string_view key, const Entry& e) {
  c.reply.array(3);
  c.reply.bulk(key);
  c.reply.bulk(e.first);
  reply_score(c, e.second);
}

void bzpop_generic(Context& c, bool max) {
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(c.argc() - 1), timeout_ms)) return;
  std::vector<std::string> keys;
  for (size_t i = 1; i + 1 < c.argc(); ++i) {
    auto z = handle<ZSet>(c, c.arg(i));
    if (!open_zset(c, z, Access::Write)) return;
    if (!z.exists()) {
      keys.emplace_back(c.arg(i));
      continue;
    }
    auto popped = pop_entries(c, z, 1, max);
    if (!popped.empty()) return reply_with_key(c, z.key(), popped[0]);
  }
  // Every key was missing: wait for one. A served retry answers ZPOPMIN's [member, score];
  // the blocking reply puts the key in front.
  std::string pop_name = max ? "ZPOPMAX" : "ZPOPMIN";
  auto retry = [keys, pop_name](size_t i) { return std::vector<std::string>{pop_name, keys[i]}; };
  auto served = [keys](size_t i, std::string& reply) {
    if (!reply.starts_with("*2\r\n")) return false;  // nothing popped, or WRONGTYPE
    std::string framed = "*3\r\n";
    protocol::ReplyBuilder(framed).bulk(keys[i]);
    framed.append(reply, 4);
    reply.swap(framed);
    return true;
  };
  c.client.pending_block = core::block_until_served(c.node, c.client, std::move(keys), timeout_ms,
                                                    std::move(retry), std::move(served), "*-1\r\n");
}

void bzpopmin(Context& c) {
  bzpop_generic(c, false);
}
void bzpopmax(Context& c) {
  bzpop_generic(c, true);
}

// Pops up to `count` from the first of `keys` holding members (WRONGTYPE stops the scan, as
// Redis) and replies [key, [[member, score], ...]]. False (nothing replied) if all are empty.
bool pop_first_nonempty(Context& c, std::span<const std::string_view> keys, bool max,
                        uint64_t count) {
  for (std::string_view key : keys) {
    auto z = handle<ZSet>(c, key);
    if (!open_zset(c, z, Access::Write)) return true;
    if (!z.exists()) continue;
    auto popped = pop_entries(c, z, count, max);
    c.reply.array(2);
    c.reply.bulk(key);
    c.reply.array(popped.size());
    for (const auto& e : popped) {
      c.reply.array(2);
      c.reply.bulk(e.first);
      reply_score(c, e.second);
    }
    return true;
  }
  return false;
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
void zmpop(Context& c) {
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(c, 1, "min", "max", args)) return;
  if (!pop_first_nonempty(c, args.keys, args.second, args.count)) c.reply.null_array();
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: served at once like ZMPOP;
// after a wait the retry is ZMPOP on the signalled key, whose reply is BZMPOP's.
void bzmpop(Context& c) {
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(c, 2, "min", "max", args)) return;
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(1), timeout_ms)) return;
  if (pop_first_nonempty(c, args.keys, args.second, args.count)) return;
  std::vector<std::string> keys(args.keys.begin(), args.keys.end());
  auto retry = [keys, where = std::string(args.second ? "MAX" : "MIN"),
                count = std::to_string(args.count)](size_t i) {
    return std::vector<std::string>{"ZMPOP", "1", keys[i], where, "COUNT", count};
  };
  auto served = [](size_t, std::string& reply) { return reply.starts_with("*2\r\n"); };
  c.client.pending_block = core::block_until_served(c.node, c.client, std::move(keys), timeout_ms,
                                                    std::move(retry), std::move(served), "*-1\r\n");
}

}  // namespace

void register_pop_commands(Table& t) {
  constexpr std::string_view G = "sorted_set";
  t.add(row("zpopmin", -2, kWrite | kFast, zpopmin)
            .keys(1, 1, 1)
            .doc(G, "Remove the lowest-scored members"));
  t.add(row("zpopmax", -2, kWrite | kFast, zpopmax)
            .keys(1, 1, 1)
            .doc(G, "Remove the highest-scored members"));
  t.add(row("bzpopmin", -3, kWrite | kNoScript | kFast | kMayBlock, bzpopmin)
            .acl(kCatBlocking)
            .keys(1, -2, 1)
            .doc(G, "Remove the lowest-scored member, or block until there is one"));
  t.add(row("bzpopmax", -3, kWrite | kNoScript | kFast | kMayBlock, bzpopmax)
            .acl(kCatBlocking)
            .keys(1, -2, 1)
            .doc(G, "Remove the highest-scored member, or block until there is one"));
  t.add(row("zmpop", -4, kWrite, zmpop)
            .numkeys(1)
            .doc(G,
                 "Remove the lowest- or highest-scored members of the first non-empty sorted set"));
  t.add(
      row("bzmpop", -5, kWrite | kNoScript | kMayBlock, bzmpop)
          .acl(kCatBlocking)
          .numkeys(2)
          .doc(G,
               "Remove members from the first non-empty sorted set, or block until there is one"));
}

}  // namespace basalt::commands::zset
