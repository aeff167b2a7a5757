// node/commands/keys/expire_args.h — the expiry options shared by SET and GETEX
// (NX/XX/GET/KEEPTTL/PERSIST and EX/PX/EXAT/PXAT), parsed and validated as Redis does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node/commands/command.h"

namespace basalt::commands {

struct ExpireArgs {
  enum Kind { None, Ex, Px, ExAt, PxAt, KeepTtl, Persist };
  enum Mode { ForSet, ForGetex };
  Kind kind = None;
  std::string_view value;  // the number after EX/PX/EXAT/PXAT
  bool nx = false, xx = false, get = false;
};

// Parses options from argv[from]; replies "syntax error" and returns false on a bad one.
bool parse_expire_args(Context& c, size_t from, ExpireArgs::Mode mode, ExpireArgs& out);
// Turns EX/PX/EXAT/PXAT into an absolute unix time in ms; replies the Redis error if invalid.
bool expire_time_or_reply(Context& c, const ExpireArgs& args, uint64_t& when_ms);

}  // namespace basalt::commands
