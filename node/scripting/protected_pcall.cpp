// node/scripting/protected_pcall.cpp — see protected_pcall.h.
#include "node/scripting/protected_pcall.h"

namespace basalt::scripting {

int protected_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  int argc = lua_gettop(L);
  int status = lua_pcall(L, argc - 1, LUA_MULTRET, 0);
  if (status != 0) {
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return lua_gettop(L);
}

}  // namespace basalt::scripting
