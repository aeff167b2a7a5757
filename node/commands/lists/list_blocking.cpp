// node/commands/lists/list_blocking.cpp — the blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE
// and BRPOPLPUSH. A command whose keys hold elements is served at once, exactly as its
// non-blocking form, and logged as that form (BLPOP -> LPOP key, BLMPOP -> LPOP key n,
// BLMOVE -> LMOVE, BRPOPLPUSH -> RPOPLPUSH). Otherwise it hands the connection a wait on the
// keys (core::block_until_served): each time a key it waits on is signalled (a push), the
// non-blocking form is retried for the client through the write pipeline — one write in the
// total order, logged as that command logs itself — until one serves it or the timeout
// answers a nil array. Waiters on a key are served in the order they blocked.
#include <string>
#include <vector>

#include "node/commands/block_timeout.h"
#include "node/commands/lists/list_commands.h"
#include "node/core/blocking.h"

namespace basalt::commands::list {

namespace {

constexpr std::string_view kTimedOut = "*-1\r\n";

std::string pop_verb(End end) {
  return end == End::Head ? "LPOP" : "RPOP";
}

// "*2\r\n" $key + `reply`: the blocking reply built from the retry's reply.
void prepend_key(std::string& reply, std::string_view key) {
  std::string framed = "*2\r\n";
  protocol::ReplyBuilder(framed).bulk(key);
  framed += reply;
  reply.swap(framed);
}

void block(Context& c, std::vector<std::string> keys, uint64_t timeout_ms, core::RetryCommand retry,
           core::ServedCheck served) {
  c.client.pending_block =
      core::block_until_served(c.node, c.client, std::move(keys), timeout_ms, std::move(retry),
                               std::move(served), std::string(kTimedOut));
}

std::vector<std::string> key_names(std::span<const std::string_view> keys) {
  return std::vector<std::string>(keys.begin(), keys.end());
}

// BLPOP / BRPOP key [key ...] timeout.
void bpop_generic(Context& c, End end) {
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(c.argc() - 1), timeout_ms)) return;
  auto keys = c.argv.subspan(1, c.argc() - 2);
  if (pop_first(c, keys, end, std::nullopt) != Outcome::Empty) return;
  // A served retry answers [LR]POP's element; the blocking reply puts the key in front.
  auto names = key_names(keys);
  auto retry = [names, verb = pop_verb(end)](size_t i) {
    return std::vector<std::string>{verb, names[i]};
  };
  auto served = [names](size_t i, std::string& reply) {
    if (!reply.starts_with("$") || reply.starts_with("$-1")) return false;  // none, or an error
    prepend_key(reply, names[i]);
    return true;
  };
  block(c, std::move(names), timeout_ms, std::move(retry), std::move(served));
}

void blpop(Context& c) {
  bpop_generic(c, End::Head);
}
void brpop(Context& c) {
  bpop_generic(c, End::Tail);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
void blmpop(Context& c) {
  MpopArgs args;
  if (!parse_mpop_or_reply(c, 2, args)) return;
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(1), timeout_ms)) return;
  if (pop_first(c, args.keys, args.end, args.count) != Outcome::Empty) return;
  // A served retry answers [LR]POP key count's array; BLMPOP's reply is [key, array].
  auto names = key_names(args.keys);
  auto retry = [names, verb = pop_verb(args.end), count = std::to_string(args.count)](size_t i) {
    return std::vector<std::string>{verb, names[i], count};
  };
  auto served = [names](size_t i, std::string& reply) {
    if (!reply.starts_with("*") || reply.starts_with("*-1")) return false;
    prepend_key(reply, names[i]);
    return true;
  };
  block(c, std::move(names), timeout_ms, std::move(retry), std::move(served));
}

// BLMOVE and BRPOPLPUSH: served at once they are logged as LMOVE / RPOPLPUSH; after a wait
// the retry is that command itself. A retry that meets a destination of another type has
// served the client with WRONGTYPE, as Redis ends such a wait.
void bmove_generic(Context& c, End from, End to, uint64_t timeout_ms, bool rpoplpush) {
  std::string_view source = c.arg(1), destination = c.arg(2);
  Outcome r = move(c, source, destination, from, to);
  if (r == Outcome::Failed) return;
  if (r == Outcome::Served) {
    if (rpoplpush) {
      std::string_view args[] = {"RPOPLPUSH", source, destination};
      c.propagate(args);
    } else {
      std::string_view args[] = {"LMOVE", source, destination, c.arg(3), c.arg(4)};
      c.propagate(args);
    }
    return;
  }
  std::vector<std::string> retry_args;
  if (rpoplpush) {
    retry_args = {"RPOPLPUSH", std::string(source), std::string(destination)};
  } else {
    retry_args = {"LMOVE", std::string(source), std::string(destination),
                  std::string(end_word(from)), std::string(end_word(to))};
  }
  auto retry = [retry_args](size_t) { return retry_args; };
  auto served = [](size_t, std::string& reply) { return !reply.starts_with("$-1"); };
  block(c, {std::string(source)}, timeout_ms, std::move(retry), std::move(served));
}

void blmove(Context& c) {
  End from, to;
  if (!parse_end_or_reply(c, c.arg(3), from) || !parse_end_or_reply(c, c.arg(4), to)) return;
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(5), timeout_ms)) return;
  bmove_generic(c, from, to, timeout_ms, false);
}

void brpoplpush(Context& c) {
  uint64_t timeout_ms;
  if (!block_timeout_or_reply(c, c.arg(3), timeout_ms)) return;
  bmove_generic(c, End::Tail, End::Head, timeout_ms, true);
}

}  // namespace

void register_blocking_commands(Table& t) {
  constexpr std::string_view G = "list";
  constexpr auto B = kWrite | kNoScript | kMayBlock;
  t.add(row("blpop", -3, B, blpop)
            .acl(kCatBlocking)
            .keys(1, -2, 1)
            .doc(G, "Remove and get the first element, or block"));
  t.add(row("brpop", -3, B, brpop)
            .acl(kCatBlocking)
            .keys(1, -2, 1)
            .doc(G, "Remove and get the last element, or block"));
  t.add(row("blmpop", -5, B, blmpop)
            .acl(kCatBlocking)
            .numkeys(2)
            .doc(G, "Pop elements from the first non-empty list, or block"));
  t.add(row("blmove", 6, B | kDenyOom, blmove)
            .acl(kCatBlocking)
            .keys(1, 2, 1)
            .doc(G, "Pop an element, push it to another list and return it, or block"));
  t.add(row("brpoplpush", 4, B | kDenyOom, brpoplpush)
            .acl(kCatBlocking)
            .keys(1, 2, 1)
            .doc(G, "Pop the last element, push it to another list and return it, or block"));
}

}  // namespace basalt::commands::list
