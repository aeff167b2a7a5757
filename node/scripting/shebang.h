// node/scripting/shebang.h — Redis 7.0's script shebang (`#!lua flags=no-writes,...`): which
// flags a script declares, and the body Lua compiles (the shebang line becomes a comment, so
// error line numbers stay those of the script).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::scripting {

enum ScriptFlag : uint32_t {
  kHasShebang = 1u << 0,  // flags were declared (else: compatibility mode, writes allowed)
  kNoWrites = 1u << 1,
  kAllowOom = 1u << 2,
  kAllowStale = 1u << 3,
  kNoCluster = 1u << 4,
  kAllowCrossSlot = 1u << 5,
};

struct Shebang {
  uint32_t flags = 0;
  std::string error;  // Redis's error text ("" = fine)
};

Shebang parse_shebang(std::string_view body);
// The text given to Lua: `body` with a leading "#!" turned into "--".
std::string compilable_body(std::string_view body);

}  // namespace basalt::scripting
