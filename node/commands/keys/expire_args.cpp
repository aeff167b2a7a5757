// node/commands/keys/expire_args.cpp — see expire_args.h.
#include "node/commands/keys/expire_args.h"

#include <climits>
#include <string>

#include "node/protocol/numbers.h"

namespace basalt::commands {

bool parse_expire_args(Context& c, size_t from, ExpireArgs::Mode mode, ExpireArgs& out) {
  bool set = mode == ExpireArgs::ForSet;
  for (size_t j = from; j < c.argc(); ++j) {
    std::string_view opt = c.arg(j);
    bool has_next = j + 1 < c.argc();
    // As Redis: an expiry option may repeat (the last wins) but not mix with another kind.
    auto compatible = [&](ExpireArgs::Kind kind) {
      return out.kind == ExpireArgs::None || out.kind == kind;
    };
    ExpireArgs::Kind timed = iequals(opt, "ex")     ? ExpireArgs::Ex
                             : iequals(opt, "px")   ? ExpireArgs::Px
                             : iequals(opt, "exat") ? ExpireArgs::ExAt
                             : iequals(opt, "pxat") ? ExpireArgs::PxAt
                                                    : ExpireArgs::None;
    if (set && iequals(opt, "nx") && !out.xx) {
      out.nx = true;
    } else if (set && iequals(opt, "xx") && !out.nx) {
      out.xx = true;
    } else if (set && iequals(opt, "get")) {
      out.get = true;
    } else if (set && iequals(opt, "keepttl") && compatible(ExpireArgs::KeepTtl)) {
      out.kind = ExpireArgs::KeepTtl;
    } else if (!set && iequals(opt, "persist") && compatible(ExpireArgs::Persist)) {
      out.kind = ExpireArgs::Persist;
    } else if (timed != ExpireArgs::None && compatible(timed) && has_next) {
      out.kind = timed;
      out.value = c.arg(++j);
    } else {
      c.syntax_error();
      return false;
    }
  }
  return true;
}

bool expire_time_or_reply(Context& c, const ExpireArgs& args, uint64_t& when_ms) {
  int64_t v;
  if (!protocol::parse_i64(args.value, v)) {
    c.not_integer();
    return false;
  }
  bool seconds = args.kind == ExpireArgs::Ex || args.kind == ExpireArgs::ExAt;
  bool relative = args.kind == ExpireArgs::Ex || args.kind == ExpireArgs::Px;
  auto invalid = [&] {
    c.reply.error("ERR invalid expire time in '" + std::string(c.spec.name) + "' command");
    return false;
  };
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) return invalid();
  if (seconds) v *= 1000;
  if (relative) {
    if (v > LLONG_MAX - static_cast<int64_t>(c.now_ms())) return invalid();
    v += static_cast<int64_t>(c.now_ms());
  }
  when_ms = static_cast<uint64_t>(v);
  return true;
}

}  // namespace basalt::commands
