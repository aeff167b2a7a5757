// node/scripting/text_only_load.h — owns: loading Lua source text only, never a precompiled
// (binary) chunk, for scripts, function libraries and the loadstring scripts call. Lua 5.1
// does not verify bytecode, so a crafted chunk can crash the interpreter; Redis 7.0's Lua
// parses every chunk as text, so bytecode fails with "unexpected symbol near 'char(27)'"
// (loadstring returns nil and that message, as there).
#pragma once

#include <lua.hpp>
#include <string_view>

namespace basalt::scripting {

// luaL_loadbuffer, but a chunk that starts as bytecode does is parsed as text (and fails).
int load_text(lua_State* L, std::string_view code, const char* chunkname);

// Replaces the global loadstring with one that loads text only (call before the sandbox
// copies the globals).
void install_text_only_loadstring(lua_State* L);

}  // namespace basalt::scripting
