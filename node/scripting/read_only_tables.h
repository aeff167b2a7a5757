// node/scripting/read_only_tables.h — owns: the read-only tables scripts see (Redis 7.0 makes
// the globals, the libraries' tables and their metatables read-only; Lua 5.1 has no such
// tables, so a script sees proxies whose writes are refused), and a setmetatable that refuses
// them too. Every refusal is "Attempt to modify a readonly table", as Redis's.
#pragma once

#include <lua.hpp>

namespace basalt::scripting {

// The __newindex of every read-only proxy: raises the refusal.
int read_only_newindex(lua_State* L);

// Replaces the table on top with a read-only view of it: reads go to the table (or, given
// `index`, to that C function with the table as its upvalue 1), writes are refused, pairs()
// over it sees nothing, getmetatable() gives false.
void push_read_only_proxy(lua_State* L, lua_CFunction index = nullptr);

// Replaces the global setmetatable with one that refuses a table whose metatable's
// __newindex is read_only_newindex (call before the sandbox copies the globals).
void install_read_only_setmetatable(lua_State* L);

}  // namespace basalt::scripting
