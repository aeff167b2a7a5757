// node/scripting/protected_pcall.h — owns: the `pcall` scripts see (Redis 7.0's): as Lua's,
// but an error table raised inside ({err=...}, from redis.call or error()) is returned as its
// `err` text.
#pragma once

#include <lua.hpp>

namespace basalt::scripting {

int protected_pcall(lua_State* L);

}  // namespace basalt::scripting
