// node/commands/keys/expire.cpp — EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT (NX/XX/GT/LT), TTL,
// PTTL, EXPIRETIME, PEXPIRETIME and PERSIST. Expiries are logged as absolute PEXPIREAT; an
// expiry already in the past deletes the key on a master and is logged as DEL.
#include <climits>
#include <string>

#include "node/commands/command_table.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

using core::Lookup;

enum ExpireFlag { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

bool parse_expire_flags(Context& c, int& flags) {
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string_view opt = c.arg(i);
    if (iequals(opt, "nx"))
      flags |= kNx;
    else if (iequals(opt, "xx"))
      flags |= kXx;
    else if (iequals(opt, "gt"))
      flags |= kGt;
    else if (iequals(opt, "lt"))
      flags |= kLt;
    else {
      std::string msg = "ERR Unsupported option ";
      msg.append(opt.substr(0, opt.find('\0')));  // Redis formats it as a C string
      c.reply.error(msg);
      return false;
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    c.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((flags & kGt) && (flags & kLt)) {
    c.reply.error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

void expire_generic(Context& c, int64_t basetime, bool seconds) {
  int flags = 0;
  if (!parse_expire_flags(c, flags)) return;
  int64_t when;
  if (!protocol::parse_i64(c.arg(2), when)) return c.not_integer();
  auto invalid = [&] {
    std::string msg = "ERR invalid expire time in '";
    msg.append(c.spec.name).append("' command");
    c.reply.error(msg);
  };
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (when > LLONG_MAX - basetime) return invalid();
  when += basetime;

  Lookup l;
  c.write_lookup(c.arg(1), l);
  if (!l.live) return c.reply.integer(0);
  int64_t current = l.record.expire_at_ms ? static_cast<int64_t>(l.record.expire_at_ms) : -1;
  if ((flags & kNx) && current != -1) return c.reply.integer(0);
  if ((flags & kXx) && current == -1) return c.reply.integer(0);
  if ((flags & kGt) && (when <= current || current == -1)) return c.reply.integer(0);
  if ((flags & kLt) && current != -1 && when >= current) return c.reply.integer(0);

  if (when <= static_cast<int64_t>(c.now_ms()) && !c.node.is_replica()) {
    c.ks.remove(c.db(), c.arg(1), l);
    std::string_view args[] = {"DEL", c.arg(1)};
    c.propagate(args);
    return c.reply.integer(1);
  }
  // A time at or before the epoch can only come from a master's stream; keep it expired.
  uint64_t at = when > 0 ? static_cast<uint64_t>(when) : 1;
  c.ks.put(c.db(), c.arg(1), l.record.type, at, l.record.payload, l);
  std::string ms = std::to_string(at);
  std::vector<std::string_view> args(c.argv.begin(), c.argv.end());
  args[0] = "PEXPIREAT";
  args[2] = ms;
  c.propagate(args);
  c.reply.integer(1);
}

void expire(Context& c) {
  expire_generic(c, static_cast<int64_t>(c.now_ms()), true);
}
void pexpire(Context& c) {
  expire_generic(c, static_cast<int64_t>(c.now_ms()), false);
}
void expireat(Context& c) {
  expire_generic(c, 0, true);
}
void pexpireat(Context& c) {
  expire_generic(c, 0, false);
}

void ttl_generic(Context& c, bool output_ms, bool absolute) {
  Lookup l;
  c.ks.lookup(c.db(), c.arg(1), l);
  if (!l.live) return c.reply.integer(-2);
  if (!l.record.expire_at_ms) return c.reply.integer(-1);
  int64_t expire = static_cast<int64_t>(l.record.expire_at_ms);
  int64_t ttl = absolute ? expire : expire - static_cast<int64_t>(c.now_ms());
  if (ttl < 0) ttl = 0;
  c.reply.integer(output_ms ? ttl : (ttl + 500) / 1000);
}

void ttl(Context& c) {
  ttl_generic(c, false, false);
}
void pttl(Context& c) {
  ttl_generic(c, true, false);
}
void expiretime(Context& c) {
  ttl_generic(c, false, true);
}
void pexpiretime(Context& c) {
  ttl_generic(c, true, true);
}

void persist(Context& c) {
  Lookup l;
  c.write_lookup(c.arg(1), l);
  if (!l.live || !l.record.expire_at_ms) return c.reply.integer(0);
  c.ks.put(c.db(), c.arg(1), l.record.type, 0, l.record.payload, l);
  c.propagate_as_is();
  c.reply.integer(1);
}

}  // namespace

void register_expire_commands(Table& t) {
  t.add(row("expire", -3, kWrite | kFast, expire)
            .keys(1, 1, 1)
            .doc("generic", "Set a TTL in seconds"));
  t.add(
      row("pexpire", -3, kWrite | kFast, pexpire).keys(1, 1, 1).doc("generic", "Set a TTL in ms"));
  t.add(row("expireat", -3, kWrite | kFast, expireat)
            .keys(1, 1, 1)
            .doc("generic", "Expire at a unix time"));
  t.add(row("pexpireat", -3, kWrite | kFast, pexpireat)
            .keys(1, 1, 1)
            .doc("generic", "Expire at a unix time in ms"));
  t.add(row("ttl", 2, kReadOnly | kFast, ttl)
            .keys(1, 1, 1)
            .doc("generic", "Remaining TTL in seconds"));
  t.add(
      row("pttl", 2, kReadOnly | kFast, pttl).keys(1, 1, 1).doc("generic", "Remaining TTL in ms"));
  t.add(row("expiretime", 2, kReadOnly | kFast, expiretime)
            .keys(1, 1, 1)
            .doc("generic", "Expiry as a unix time"));
  t.add(row("pexpiretime", 2, kReadOnly | kFast, pexpiretime)
            .keys(1, 1, 1)
            .doc("generic", "Expiry as a unix time in ms"));
  t.add(row("persist", 2, kWrite | kFast, persist)
            .keys(1, 1, 1)
            .doc("generic", "Remove a key's TTL"));
}

}  // namespace basalt::commands
