// node/commands/strings/strings.cpp — the string commands (GET, SET and friends, counters, ranges).
// Non-deterministic effects are logged in deterministic form: relative expiries become
// SET ... PXAT / PEXPIREAT, INCRBYFLOAT becomes SET ... KEEPTTL, GETSET becomes SET,
// GETDEL becomes DEL.
#include <climits>
#include <cmath>
#include <string>

#include "node/commands/command_table.h"
#include "node/commands/keys/expire_args.h"
#include "node/commands/strings/string_access.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

using core::Lookup;
using storage::ValueType;

// Looks up a key that must hold a string; replies WRONGTYPE and returns false otherwise.
void get(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  if (!l.live) return c.reply.null_bulk();
  c.reply.bulk(l.record.payload);
}

// SET, SETEX, PSETEX, SETNX and GETSET share this.
void set_generic(Context& c, std::string_view key, std::string_view value, const ExpireArgs& ex,
                 bool reply_old, bool propagate_as_set) {
  uint64_t when = 0;
  if (ex.kind != ExpireArgs::None && ex.kind != ExpireArgs::KeepTtl &&
      ex.kind != ExpireArgs::Persist) {
    if (!expire_time_or_reply(c, ex, when)) return;
  }
  Lookup l;
  if (reply_old) {
    if (!string_or_reply(c, key, l, false)) return;
    if (l.live)
      c.reply.bulk(l.record.payload);
    else
      c.reply.null_bulk();
  } else {
    c.write_lookup(key, l);
  }
  if ((ex.nx && l.live) || (ex.xx && !l.live)) {
    if (!reply_old) c.reply.null_bulk();
    return;
  }
  uint64_t expire = when;
  if (ex.kind == ExpireArgs::KeepTtl && l.live) expire = l.record.expire_at_ms;
  c.ks.put(c.db(), key, ValueType::String, expire, value, l);
  if (when) {
    std::string ms = std::to_string(when);
    std::string_view args[] = {"SET", key, value, "PXAT", ms};
    c.propagate(args);
  } else if (propagate_as_set) {
    std::string_view args[] = {"SET", key, value};
    c.propagate(args);
  } else {
    c.propagate_as_is();
  }
  if (!reply_old) c.reply.ok();
}

void set(Context& c) {
  ExpireArgs ex;
  if (!parse_expire_args(c, 3, ExpireArgs::ForSet, ex)) return;
  set_generic(c, c.arg(1), c.arg(2), ex, ex.get, false);
}

void setnx(Context& c) {
  Lookup l;
  c.write_lookup(c.arg(1), l);
  if (l.live) return c.reply.integer(0);
  c.ks.put(c.db(), c.arg(1), ValueType::String, 0, c.arg(2), l);
  c.propagate_as_is();
  c.reply.integer(1);
}

void setex_generic(Context& c, ExpireArgs::Kind kind) {
  ExpireArgs ex;
  ex.kind = kind;
  ex.value = c.arg(2);
  set_generic(c, c.arg(1), c.arg(3), ex, false, false);
}
void setex(Context& c) {
  setex_generic(c, ExpireArgs::Ex);
}
void psetex(Context& c) {
  setex_generic(c, ExpireArgs::Px);
}

void getset(Context& c) {
  set_generic(c, c.arg(1), c.arg(2), ExpireArgs{}, true, true);
}

void getdel(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  if (!l.live) return c.reply.null_bulk();
  c.reply.bulk(l.record.payload);
  c.ks.remove(c.db(), c.arg(1), l);
  std::string_view args[] = {"DEL", c.arg(1)};
  c.propagate(args);
}

void getex(Context& c) {
  ExpireArgs ex;
  if (!parse_expire_args(c, 2, ExpireArgs::ForGetex, ex)) return;
  // Redis looks the key up before it validates the expiry.
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  if (!l.live) return c.reply.null_bulk();
  uint64_t when = 0;
  if (ex.kind != ExpireArgs::None && ex.kind != ExpireArgs::Persist) {
    if (!expire_time_or_reply(c, ex, when)) return;
  }
  c.reply.bulk(l.record.payload);
  if (when && when <= c.now_ms() && !c.node.is_replica()) {
    c.ks.remove(c.db(), c.arg(1), l);
    std::string_view args[] = {"DEL", c.arg(1)};
    c.propagate(args);
  } else if (when) {
    c.ks.put(c.db(), c.arg(1), ValueType::String, when, l.record.payload, l);
    std::string ms = std::to_string(when);
    std::string_view args[] = {"PEXPIREAT", c.arg(1), ms};
    c.propagate(args);
  } else if (ex.kind == ExpireArgs::Persist && l.record.expire_at_ms) {
    c.ks.put(c.db(), c.arg(1), ValueType::String, 0, l.record.payload, l);
    std::string_view args[] = {"PERSIST", c.arg(1)};
    c.propagate(args);
  }
}

void mget(Context& c) {
  c.reply.array(c.argc() - 1);
  Lookup l;
  for (size_t i = 1; i < c.argc(); ++i) {
    c.read_key(c.arg(i), l);
    if (l.is(ValueType::String))
      c.reply.bulk(l.record.payload);
    else
      c.reply.null_bulk();
  }
}

bool mset_arity_ok(Context& c) {
  if (c.argc() % 2 == 0) {
    c.wrong_arity();
    return false;
  }
  return true;
}

void mset(Context& c) {
  if (!mset_arity_ok(c)) return;
  Lookup l;
  for (size_t i = 1; i < c.argc(); i += 2) {
    c.write_lookup(c.arg(i), l);
    c.ks.put(c.db(), c.arg(i), ValueType::String, 0, c.arg(i + 1), l);
  }
  c.propagate_as_is();
  c.reply.ok();
}

void msetnx(Context& c) {
  if (!mset_arity_ok(c)) return;
  Lookup l;
  for (size_t i = 1; i < c.argc(); i += 2) {
    c.write_lookup(c.arg(i), l);
    if (l.live) return c.reply.integer(0);
  }
  for (size_t i = 1; i < c.argc(); i += 2) {
    c.write_lookup(c.arg(i), l);
    c.ks.put(c.db(), c.arg(i), ValueType::String, 0, c.arg(i + 1), l);
  }
  c.propagate_as_is();
  c.reply.integer(1);
}

void incr_by(Context& c, int64_t delta) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  int64_t value = 0;
  if (l.live && !protocol::parse_i64(l.record.payload, value)) return c.not_integer();
  if ((delta < 0 && value < 0 && delta < LLONG_MIN - value) ||
      (delta > 0 && value > 0 && delta > LLONG_MAX - value)) {
    return c.reply.error("ERR increment or decrement would overflow");
  }
  value += delta;
  std::string text = std::to_string(value);
  c.ks.put(c.db(), c.arg(1), ValueType::String, l.live ? l.record.expire_at_ms : 0, text, l);
  c.propagate_as_is();
  c.reply.integer(value);
}

void incr(Context& c) {
  incr_by(c, 1);
}
void decr(Context& c) {
  incr_by(c, -1);
}
void incrby(Context& c) {
  int64_t d;
  if (!protocol::parse_i64(c.arg(2), d)) return c.not_integer();
  incr_by(c, d);
}
void decrby(Context& c) {
  int64_t d;
  if (!protocol::parse_i64(c.arg(2), d)) return c.not_integer();
  if (d == LLONG_MIN) return c.reply.error("ERR decrement would overflow");
  incr_by(c, -d);
}

void incrbyfloat(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  long double value = 0, incr = 0;
  if (l.live && !protocol::parse_long_double(l.record.payload, value)) return c.not_float();
  if (!protocol::parse_long_double(c.arg(2), incr)) return c.not_float();
  value += incr;
  if (std::isnan(value) || std::isinf(value))
    return c.reply.error("ERR increment would produce NaN or Infinity");
  std::string text = protocol::format_long_double_human(value);
  c.ks.put(c.db(), c.arg(1), ValueType::String, l.live ? l.record.expire_at_ms : 0, text, l);
  std::string_view args[] = {"SET", c.arg(1), text, "KEEPTTL"};
  c.propagate(args);
  c.reply.bulk(text);
}

void append(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  std::string value;
  if (l.live) {
    if (!check_length(c, l.record.payload.size(), c.arg(2).size())) return;
    value.reserve(l.record.payload.size() + c.arg(2).size());
    value.append(l.record.payload);
  }
  value.append(c.arg(2));
  c.ks.put(c.db(), c.arg(1), ValueType::String, l.live ? l.record.expire_at_ms : 0, value, l);
  c.propagate_as_is();
  c.reply.integer(static_cast<int64_t>(value.size()));
}

void strlen_cmd(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  c.reply.integer(l.live ? static_cast<int64_t>(l.record.payload.size()) : 0);
}

void getrange(Context& c) {
  int64_t start, end;
  if (!protocol::parse_i64(c.arg(2), start) || !protocol::parse_i64(c.arg(3), end))
    return c.not_integer();
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  if (!l.live) return c.reply.bulk("");
  int64_t len = static_cast<int64_t>(l.record.payload.size());
  if (start < 0 && end < 0 && start > end) return c.reply.bulk("");
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return c.reply.bulk("");
  c.reply.bulk(
      l.record.payload.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void setrange(Context& c) {
  int64_t offset;
  if (!protocol::parse_i64(c.arg(2), offset)) return c.not_integer();
  if (offset < 0) return c.reply.error("ERR offset is out of range");
  std::string_view piece = c.arg(3);
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  int64_t old_len = l.live ? static_cast<int64_t>(l.record.payload.size()) : 0;
  if (piece.empty()) return c.reply.integer(old_len);
  if (!check_length(c, static_cast<uint64_t>(offset), piece.size())) return;
  std::string value(l.live ? l.record.payload : std::string_view());
  size_t need = static_cast<size_t>(offset) + piece.size();
  if (value.size() < need) value.resize(need, '\0');
  value.replace(static_cast<size_t>(offset), piece.size(), piece);
  c.ks.put(c.db(), c.arg(1), ValueType::String, l.live ? l.record.expire_at_ms : 0, value, l);
  c.propagate_as_is();
  c.reply.integer(static_cast<int64_t>(value.size()));
}

}  // namespace

void register_string_commands(Table& t) {
  constexpr auto W = kWrite | kDenyOom;
  t.add(
      row("get", 2, kReadOnly | kFast, get).keys(1, 1, 1).doc("string", "Get the value of a key"));
  t.add(row("set", -3, W, set).keys(1, 1, 1).doc("string", "Set the string value of a key"));
  t.add(row("setnx", 3, W | kFast, setnx)
            .keys(1, 1, 1)
            .doc("string", "Set a key only if it does not exist"));
  t.add(
      row("setex", 4, W, setex).keys(1, 1, 1).doc("string", "Set a key with an expiry in seconds"));
  t.add(row("psetex", 4, W, psetex)
            .keys(1, 1, 1)
            .doc("string", "Set a key with an expiry in milliseconds"));
  t.add(row("getset", 3, W | kFast, getset)
            .keys(1, 1, 1)
            .doc("string", "Set a key, returning the old value"));
  t.add(row("getdel", 2, kWrite | kFast, getdel)
            .keys(1, 1, 1)
            .doc("string", "Get a key and delete it"));
  t.add(row("getex", -2, kWrite | kFast, getex)
            .keys(1, 1, 1)
            .doc("string", "Get a key and set its expiry"));
  t.add(row("mget", -2, kReadOnly | kFast, mget)
            .keys(1, -1, 1)
            .doc("string", "Get the values of keys"));
  t.add(row("mset", -3, W, mset).keys(1, -1, 2).doc("string", "Set several keys"));
  t.add(
      row("msetnx", -3, W, msetnx).keys(1, -1, 2).doc("string", "Set several keys if none exists"));
  t.add(row("incr", 2, W | kFast, incr).keys(1, 1, 1).doc("string", "Increment an integer by one"));
  t.add(row("decr", 2, W | kFast, decr).keys(1, 1, 1).doc("string", "Decrement an integer by one"));
  t.add(row("incrby", 3, W | kFast, incrby).keys(1, 1, 1).doc("string", "Increment an integer"));
  t.add(row("decrby", 3, W | kFast, decrby).keys(1, 1, 1).doc("string", "Decrement an integer"));
  t.add(row("incrbyfloat", 3, W | kFast, incrbyfloat)
            .keys(1, 1, 1)
            .doc("string", "Increment a float"));
  t.add(row("append", 3, W | kFast, append).keys(1, 1, 1).doc("string", "Append to a string"));
  t.add(row("strlen", 2, kReadOnly | kFast, strlen_cmd)
            .keys(1, 1, 1)
            .doc("string", "Length of a string"));
  t.add(row("getrange", 4, kReadOnly, getrange).keys(1, 1, 1).doc("string", "Get a substring"));
  t.add(row("substr", 4, kReadOnly, getrange)
            .keys(1, 1, 1)
            .doc("string", "Get a substring (old name)"));
  t.add(row("setrange", 4, W, setrange).keys(1, 1, 1).doc("string", "Overwrite part of a string"));
}

}  // namespace basalt::commands
