// node/commands/hashes/hashes.cpp — the hash commands (HSET and friends, counters, HRANDFIELD,
// HSCAN): argument parsing, replies and propagation over the hash store
// (storage/types/hash.h). HINCRBYFLOAT is logged as HSET with the resulting value.
#include <climits>
#include <cmath>
#include <string>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "node/protocol/numbers.h"
#include "storage/types/hash.h"

namespace basalt::commands {

namespace {

using types::Collection;
namespace hash = types::hash;

bool open_hash(Context& c, Collection& h, Access access) {
  return status_or_reply(c, hash::open(h, access));
}

void hset_generic(Context& c, bool reply_count) {
  if (c.argc() % 2 != 0) return c.wrong_arity();
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Write)) return;
  h.ensure_version();
  int64_t created = 0;
  for (size_t i = 2; i < c.argc(); i += 2) created += hash::set(h, c.arg(i), c.arg(i + 1));
  hash::save(h);
  c.propagate_as_is();
  if (reply_count)
    c.reply.integer(created);
  else
    c.reply.ok();
}

void hset(Context& c) {
  hset_generic(c, true);
}
void hmset(Context& c) {
  hset_generic(c, false);
}

void hsetnx(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Write)) return;
  std::string old;
  if (hash::get(h, c.arg(2), old)) return c.reply.integer(0);
  h.ensure_version();
  hash::set(h, c.arg(2), c.arg(3));
  hash::save(h);
  c.propagate_as_is();
  c.reply.integer(1);
}

void hget(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  std::string value;
  if (!hash::get(h, c.arg(2), value)) return c.reply.null_bulk();
  c.reply.bulk(value);
}

void hmget(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  c.reply.array(c.argc() - 2);
  std::string value;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (hash::get(h, c.arg(i), value))
      c.reply.bulk(value);
    else
      c.reply.null_bulk();
  }
}

enum class Parts { Fields, Values, Both };

void hgetall_generic(Context& c, Parts parts) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  if (!h.exists()) return c.reply.array(0);
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t n = 0;
  bool fields = parts != Parts::Values, values = parts != Parts::Fields;
  h.for_each([&](std::string_view field, std::string_view v) {
    if (fields) out.bulk(field);
    if (values) out.bulk(v);
    n += (fields ? 1 : 0) + (values ? 1 : 0);
    return true;
  });
  c.reply.array(n);
  c.reply.raw(body);
}

void hgetall(Context& c) {
  hgetall_generic(c, Parts::Both);
}
void hkeys(Context& c) {
  hgetall_generic(c, Parts::Fields);
}
void hvals(Context& c) {
  hgetall_generic(c, Parts::Values);
}

void hdel(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Write)) return;
  if (!h.exists()) return c.reply.integer(0);
  int64_t deleted = 0;
  for (size_t i = 2; i < c.argc(); ++i) deleted += hash::del(h, c.arg(i));
  if (deleted) {
    hash::save(h);
    c.propagate_as_is();
  }
  c.reply.integer(deleted);
}

void hexists(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  std::string value;
  c.reply.integer(hash::get(h, c.arg(2), value) ? 1 : 0);
}

void hlen(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  c.reply.integer(static_cast<int64_t>(h.meta.size));
}

void hstrlen(Context& c) {
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  std::string value;
  bool found = hash::get(h, c.arg(2), value);
  c.reply.integer(found ? static_cast<int64_t>(value.size()) : 0);
}

void hincrby(Context& c) {
  int64_t incr;
  if (!protocol::parse_i64(c.arg(3), incr)) return c.not_integer();
  std::string_view key = c.arg(1), field = c.arg(2);
  auto h = handle(c, key);
  if (!open_hash(c, h, Access::Write)) return;
  int64_t value = 0;
  std::string text;
  if (hash::get(h, field, text) && !protocol::parse_i64(text, value))
    return c.reply.error("ERR hash value is not an integer");
  if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
      (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
    return c.reply.error("ERR increment or decrement would overflow");
  }
  value += incr;
  h.ensure_version();
  hash::set(h, field, std::to_string(value));
  hash::save(h);
  c.propagate_as_is();
  c.reply.integer(value);
}

void hincrbyfloat(Context& c) {
  long double incr, value = 0;
  if (!protocol::parse_long_double(c.arg(3), incr)) return c.not_float();
  if (std::isnan(incr) || std::isinf(incr)) return c.reply.error("ERR value is NaN or Infinity");
  std::string_view key = c.arg(1), field = c.arg(2);
  auto h = handle(c, key);
  if (!open_hash(c, h, Access::Write)) return;
  std::string text;
  if (hash::get(h, field, text) && !protocol::parse_long_double(text, value))
    return c.reply.error("ERR hash value is not a float");
  value += incr;
  if (std::isnan(value) || std::isinf(value))
    return c.reply.error("ERR increment would produce NaN or Infinity");
  text = protocol::format_long_double_human(value);
  h.ensure_version();
  hash::set(h, field, text);
  hash::save(h);
  std::string_view args[] = {"HSET", key, field, text};
  c.propagate(args);
  c.reply.bulk(text);
}

void hrandfield(Context& c) {
  bool with_count = c.argc() >= 3, with_values = false;
  int64_t l = 0;
  if (with_count) {
    if (!random_count_or_reply(c, c.arg(2), l)) return;
    if (c.argc() > 4 || (c.argc() == 4 && !iequals(c.arg(3), "withvalues")))
      return c.syntax_error();
    with_values = c.argc() == 4;
    if (with_values && (l < -(LLONG_MAX / 2) || l > LLONG_MAX / 2))
      return c.reply.error("ERR value is out of range");
  }
  auto h = handle(c, c.arg(1));
  if (!open_hash(c, h, Access::Read)) return;
  if (!with_count) {
    if (!h.exists()) return c.reply.null_bulk();
    auto picked = h.random(1, true);
    if (picked.empty()) return c.reply.null_bulk();
    return c.reply.bulk(picked[0].first);
  }
  if (!h.exists() || l == 0) return c.reply.array(0);
  bool unique = l > 0;
  auto count = static_cast<uint64_t>(unique ? l : -l);
  if (!unique && !picks_within_limit_or_reply(c, count)) return;
  auto picked = h.random(count, unique);
  c.reply.array(picked.size() * (with_values ? 2 : 1));
  for (const auto& [field, value] : picked) {
    c.reply.bulk(field);
    if (with_values) c.reply.bulk(value);
  }
}

void hscan(Context& c) {
  scan_collection(c, {storage::ValueType::Hash, "",
                      [](std::string_view field, std::string_view value,
                         protocol::ReplyBuilder& out) -> size_t {
                        out.bulk(field);
                        out.bulk(value);
                        return 2;
                      }});
}

}  // namespace

void register_hashes_commands(Table& t) {
  constexpr auto W = kWrite | kDenyOom;
  constexpr auto R = kReadOnly;
  t.add(row("hset", -4, W | kFast, hset)
            .keys(1, 1, 1)
            .elements(2, -1, 2)
            .doc("hash", "Set the values of hash fields"));
  t.add(row("hsetnx", 4, W | kFast, hsetnx)
            .keys(1, 1, 1)
            .elements(2, 2, 1)
            .doc("hash", "Set a hash field if it is missing"));
  t.add(row("hmset", -4, W | kFast, hmset)
            .keys(1, 1, 1)
            .elements(2, -1, 2)
            .doc("hash", "Set the values of hash fields"));
  t.add(row("hget", 3, R | kFast, hget).keys(1, 1, 1).doc("hash", "Get the value of a hash field"));
  t.add(row("hmget", -3, R | kFast, hmget)
            .keys(1, 1, 1)
            .doc("hash", "Get the values of hash fields"));
  t.add(row("hgetall", 2, R | kMayBeHeavyRead, hgetall)
            .keys(1, 1, 1)
            .doc("hash", "Get all fields and values of a hash"));
  t.add(row("hkeys", 2, R | kMayBeHeavyRead, hkeys)
            .keys(1, 1, 1)
            .doc("hash", "Get all fields of a hash"));
  t.add(row("hvals", 2, R | kMayBeHeavyRead, hvals)
            .keys(1, 1, 1)
            .doc("hash", "Get all values of a hash"));
  t.add(row("hdel", -3, kWrite | kFast, hdel)
            .keys(1, 1, 1)
            .elements(2, -1, 1)
            .doc("hash", "Delete hash fields"));
  t.add(row("hexists", 3, R | kFast, hexists)
            .keys(1, 1, 1)
            .doc("hash", "Whether a hash field exists"));
  t.add(row("hlen", 2, R | kFast, hlen).keys(1, 1, 1).doc("hash", "Number of fields in a hash"));
  t.add(row("hstrlen", 3, R | kFast, hstrlen)
            .keys(1, 1, 1)
            .doc("hash", "Length of a hash field's value"));
  t.add(row("hincrby", 4, W | kFast, hincrby)
            .keys(1, 1, 1)
            .elements(2, 2, 1)
            .doc("hash", "Increment a hash field integer"));
  t.add(row("hincrbyfloat", 4, W | kFast, hincrbyfloat)
            .keys(1, 1, 1)
            .elements(2, 2, 1)
            .doc("hash", "Increment a hash field float"));
  t.add(row("hrandfield", -2, R | kMayBeHeavyRead, hrandfield)
            .keys(1, 1, 1)
            .doc("hash", "Random fields of a hash"));
  t.add(row("hscan", -3, R, hscan).keys(1, 1, 1).doc("hash", "Iterate the fields of a hash"));
}

}  // namespace basalt::commands
