// node/scripting/text_only_load.cpp — see text_only_load.h.
#include "node/scripting/text_only_load.h"

#include <string>

namespace basalt::scripting {

int load_text(lua_State* L, std::string_view code, const char* chunkname) {
  if (code.empty() || code[0] != LUA_SIGNATURE[0])
    return luaL_loadbuffer(L, code.data(), code.size(), chunkname);
  // A leading space keeps the lexer from ever seeing the signature first: it then fails on
  // the escape byte at line 1, as Redis's text-only parser does.
  std::string text = " ";
  text.append(code);
  return luaL_loadbuffer(L, text.data(), text.size(), chunkname);
}

namespace {

// loadstring(s [, chunkname]) as Lua 5.1's, through load_text. (No C++ object is alive when
// luaL_checklstring / luaL_optstring may raise; load_text returns, it never raises.)
int text_only_loadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  if (load_text(L, std::string_view(s, len), chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);  // nil, then the message
  return 2;
}

}  // namespace

void install_text_only_loadstring(lua_State* L) {
  lua_pushcfunction(L, text_only_loadstring);
  lua_setglobal(L, "loadstring");
}

}  // namespace basalt::scripting
