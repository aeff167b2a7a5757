// node/scripting/read_only_tables.cpp — see read_only_tables.h.
#include "node/scripting/read_only_tables.h"

namespace basalt::scripting {

int read_only_newindex(lua_State* L) {
  return luaL_error(L, "Attempt to modify a readonly table");
}

void push_read_only_proxy(lua_State* L, lua_CFunction index) {
  lua_newtable(L);  // proxy
  lua_newtable(L);  // metatable
  lua_pushvalue(L, -3);
  if (index) lua_pushcclosure(L, index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, read_only_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_replace(L, -2);
}

namespace {

// Lua 5.1's setmetatable, but a read-only table is refused first (with no position in the
// message, as Redis's patched Lua raises it).
int guarded_setmetatable(lua_State* L) {
  const int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (lua_getmetatable(L, 1)) {
    lua_pushstring(L, "__newindex");
    lua_rawget(L, -2);
    const bool read_only = lua_tocfunction(L, -1) == read_only_newindex;
    lua_pop(L, 2);
    if (read_only) {
      lua_pushstring(L, "Attempt to modify a readonly table");
      return lua_error(L);
    }
  }
  if (luaL_getmetafield(L, 1, "__metatable"))
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

}  // namespace

void install_read_only_setmetatable(lua_State* L) {
  lua_pushcfunction(L, guarded_setmetatable);
  lua_setglobal(L, "setmetatable");
}

}  // namespace basalt::scripting
