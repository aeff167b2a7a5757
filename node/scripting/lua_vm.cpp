// node/scripting/lua_vm.cpp — see lua_vm.h. The sandbox: the libraries live in a hidden table
// (`allowed`, in the registry); the globals every function sees are an empty proxy whose
// __index reads `allowed` (an unknown name is Redis's "nonexistent global variable" error)
// and whose __newindex refuses ("Attempt to modify a readonly table"), as Redis 7.0's
// read-only globals do.
#include "node/scripting/lua_vm.h"

#include <cstdio>
#include <cstring>
#include <lua.hpp>
#include <string>
#include <vector>

#include "node/protocol/reply.h"
#include "node/scripting/conversions.h"
#include "node/scripting/protected_pcall.h"
#include "node/scripting/read_only_tables.h"
#include "node/scripting/sha1.h"
#include "node/scripting/text_only_load.h"

extern "C" {
int luaopen_cjson(lua_State*);
int luaopen_bit(lua_State*);
}

namespace basalt::scripting {

namespace {

constexpr const char* kAllowedKey = "basalt_allowed_globals";
constexpr const char* kHooksKey = "basalt_hooks";
constexpr const char* kReplKey = "basalt_repl_flags";
constexpr int kHookEvery = 10000;  // instructions between two should_stop() checks

// The builtins a script may use (Redis 7.0.15's list, as Debian's redis-server shows it).
constexpr const char* kBuiltins[] = {
    "xpcall",   "tostring",       "setmetatable", "next",     "assert", "tonumber",
    "rawequal", "collectgarbage", "getmetatable", "rawset",   "rawget", "coroutine",
    "type",     "select",         "unpack",       "gcinfo",   "pairs",  "loadstring",
    "ipairs",   "error",          "load",         "_VERSION", "math",   "table",
    "string",   "cjson",          "bit"};

ScriptHooks* hooks_of(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kHooksKey);
  auto* hooks = static_cast<ScriptHooks*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return hooks;
}

// Pushes Redis's error table {err="CODE message"} (luaPushErrorBuff): "-CODE message" keeps
// its code ("-CODE" alone is ERR's message), anything else gets the code ERR.
void push_error_table(lua_State* L, std::string_view text) {
  std::string message;
  if (text.starts_with('-')) {
    text.remove_prefix(1);
    size_t space = text.find(' ');
    message = space == std::string_view::npos
                  ? "ERR " + std::string(text)
                  : std::string(text.substr(0, space)) + " " + std::string(text.substr(space + 1));
  } else {
    message = "ERR " + std::string(text);
  }
  while (!message.empty() && (message.back() == '\r' || message.back() == '\n')) message.pop_back();
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, message.data(), message.size());
  lua_settable(L, -3);
}

// Raises it (the error handler adds where it happened).
int raise_error_table(lua_State* L, std::string_view text) {
  push_error_table(L, text);
  return lua_error(L);
}

int global_index(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) return 1;
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
}

// redis.call / redis.pcall: the arguments, checked as Redis checks them, run through the hook.
// Returns 1 with the reply pushed, or -1 with the error to raise on top: the caller raises it
// once every C++ object here is destroyed (lua_error longjmps over destructors).
int redis_call_body(lua_State* L, bool raise) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_error_table(L, "Please specify at least one argument for this redis lib call");
    return -1;
  }
  std::vector<std::string> storage(static_cast<size_t>(argc));
  std::vector<std::string_view> argv(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    int t = lua_type(L, i);
    if (t != LUA_TSTRING && t != LUA_TNUMBER) {
      push_error_table(L, "Lua redis lib command arguments must be strings or integers");
      return -1;
    }
    if (t == LUA_TNUMBER) {
      // As Redis: "%.17g", not Lua's "%.14g", which loses precision (9007199254740991).
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, i)));
      storage[static_cast<size_t>(i - 1)].assign(buf, static_cast<size_t>(n));
    } else {
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      storage[static_cast<size_t>(i - 1)].assign(s, len);
    }
    argv[static_cast<size_t>(i - 1)] = storage[static_cast<size_t>(i - 1)];
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kReplKey);
  int repl = lua_isnumber(L, -1) ? static_cast<int>(lua_tointeger(L, -1)) : kReplAll;
  lua_pop(L, 1);
  std::string out;
  ScriptHooks* hooks = hooks_of(L);
  if (!hooks || !hooks->call) {
    push_error_table(L, "redis.call outside a script");
    return -1;
  }
  hooks->call(argv, repl, out);
  lua_settop(L, 0);
  if (!push_reply(L, out)) {
    push_error_table(L, "internal error: unreadable reply");
    return -1;
  }
  if (raise && !out.empty() && out[0] == '-') return -1;
  return 1;
}

int redis_call_common(lua_State* L, bool raise) {
  if (redis_call_body(L, raise) < 0) return lua_error(L);
  return 1;
}

int redis_call(lua_State* L) {
  return redis_call_common(L, true);
}
int redis_pcall(lua_State* L) {
  return redis_call_common(L, false);
}

int reply_table(lua_State* L, const char* field, bool error) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    push_error_table(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string text(s, len);
  if (error) {
    if (!text.starts_with('-')) text.insert(0, "-");
    push_error_table(L, text);
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushlstring(L, text.data(), text.size());
  lua_settable(L, -3);
  return 1;
}
int redis_error_reply(lua_State* L) {
  return reply_table(L, "err", true);
}
int redis_status_reply(lua_State* L) {
  return reply_table(L, "ok", false);
}

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error_table(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = sha1_hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int redis_log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return raise_error_table(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1))
    return raise_error_table(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tointeger(L, 1));
  if (level < 0 || level > 3) return raise_error_table(L, "Invalid debug level.");
  std::string message;
  for (int i = 2; i <= argc; ++i) {
    size_t len = 0;
    const char* s = lua_tolstring(L, i, &len);
    if (!s) continue;
    if (i > 2) message.push_back(' ');
    message.append(s, len);
  }
  if (ScriptHooks* hooks = hooks_of(L); hooks && hooks->log) hooks->log(level, message);
  return 0;
}

int redis_setresp(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error_table(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tointeger(L, 1));
  if (resp != 2 && resp != 3) return raise_error_table(L, "RESP version must be 2 or 3.");
  if (resp == 3)
    return raise_error_table(L,
                             "RESP3 in scripts is not supported by basalt yet (redis.setresp(3)).");
  return 0;
}

int redis_set_repl(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error_table(L, "redis.set_repl() requires one argument.");
  int flags = static_cast<int>(lua_tointeger(L, 1));
  if ((flags & ~kReplAll) != 0)
    return raise_error_table(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  lua_pushinteger(L, flags);
  lua_setfield(L, LUA_REGISTRYINDEX, kReplKey);
  return 0;
}

int redis_true(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}
int redis_false(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int redis_nothing(lua_State*) {
  return 0;
}

// The error handler every script runs under (Redis's __redis__err__handler): a string error
// becomes {err='ERR ' .. message}; the source and line of the script where it happened are
// added (skipping a C function such as redis.call or error).
int error_handler(lua_State* L) {
  if (!lua_istable(L, 1)) {
    const char* text = lua_tostring(L, 1);
    std::string message = std::string("ERR ") + (text ? text : "nil");
    if (lua_isboolean(L, 1))
      message = std::string("ERR ") + (lua_toboolean(L, 1) ? "true" : "false");
    lua_settop(L, 0);
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, message.data(), message.size());
    lua_settable(L, -3);
  }
  lua_Debug ar;
  bool found = lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar);
  if (found && std::strcmp(ar.what, "C") == 0)
    found = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
  if (found) {
    lua_pushstring(L, "source");
    lua_pushstring(L, ar.source);
    lua_settable(L, 1);
    lua_pushstring(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_settable(L, 1);
  }
  lua_settop(L, 1);
  return 1;
}

void count_hook(lua_State* L, lua_Debug*) {
  ScriptHooks* hooks = hooks_of(L);
  if (!hooks || !hooks->should_stop) return;
  {
    std::string stop = hooks->should_stop();
    if (stop.empty()) return;
    push_error_table(L, stop);
  }  // (the string is gone before lua_error longjmps)
  // From now on every instruction raises it again: a pcall in the script can't swallow it.
  lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  lua_error(L);
}

void set_int(lua_State* L, const char* name, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, name);
}
void set_fn(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

std::string function_name(const std::string& sha) {
  return "f_" + sha;
}

}  // namespace

LuaVm::LuaVm() {
  open();
}
LuaVm::~LuaVm() {
  close();
}

void LuaVm::close() {
  if (L_) lua_close(L_);
  L_ = nullptr;
}

void LuaVm::reset() {
  close();
  open();
}

void LuaVm::open() {
  L_ = luaL_newstate();
  lua_State* L = L_;
  lua_pushcfunction(L, luaopen_base);
  lua_pushstring(L, "");
  lua_call(L, 1, 0);
  install_text_only_loadstring(L);
  install_read_only_setmetatable(L);
  lua_pushcfunction(L, luaopen_table);
  lua_pushstring(L, LUA_TABLIBNAME);
  lua_call(L, 1, 0);
  lua_pushcfunction(L, luaopen_string);
  lua_pushstring(L, LUA_STRLIBNAME);
  lua_call(L, 1, 0);
  lua_pushcfunction(L, luaopen_math);
  lua_pushstring(L, LUA_MATHLIBNAME);
  lua_call(L, 1, 0);
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  lua_pushcfunction(L, protected_pcall);
  lua_setglobal(L, "pcall");

  // The redis table.
  lua_newtable(L);
  set_fn(L, "call", redis_call);
  set_fn(L, "pcall", redis_pcall);
  set_fn(L, "error_reply", redis_error_reply);
  set_fn(L, "status_reply", redis_status_reply);
  set_fn(L, "sha1hex", redis_sha1hex);
  set_fn(L, "log", redis_log);
  set_fn(L, "setresp", redis_setresp);
  set_fn(L, "set_repl", redis_set_repl);
  set_fn(L, "replicate_commands", redis_true);
  set_fn(L, "breakpoint", redis_false);  // no debugger: as Redis outside a debugging session
  set_fn(L, "debug", redis_nothing);
  set_int(L, "LOG_DEBUG", 0);
  set_int(L, "LOG_VERBOSE", 1);
  set_int(L, "LOG_NOTICE", 2);
  set_int(L, "LOG_WARNING", 3);
  set_int(L, "REPL_NONE", kReplNone);
  set_int(L, "REPL_AOF", kReplAof);
  set_int(L, "REPL_SLAVE", kReplReplica);
  set_int(L, "REPL_REPLICA", kReplReplica);
  set_int(L, "REPL_ALL", kReplAll);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  set_int(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_setglobal(L, "redis");

  // The allowed globals, then the read-only proxy becomes the globals of every function
  // compiled from now on (scripts, loadstring).
  lua_newtable(L);  // allowed
  for (const char* name : kBuiltins) {
    lua_getglobal(L, name);
    if (lua_istable(L, -1)) push_read_only_proxy(L);
    lua_setfield(L, -2, name);
  }
  lua_getglobal(L, "pcall");
  lua_setfield(L, -2, "pcall");
  lua_getglobal(L, "redis");
  push_read_only_proxy(L);
  lua_setfield(L, -2, "redis");
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushcfunction(L, global_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, read_only_newindex);
  lua_setfield(L, -2, "__newindex");
  // What getmetatable(_G) shows: a read-only table, as in Redis (not the real metatable).
  lua_newtable(L);
  push_read_only_proxy(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "_G");  // allowed._G = proxy
  lua_insert(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_pushcfunction(L, error_handler);
  lua_setfield(L, LUA_REGISTRYINDEX, "basalt_error_handler");
}

std::string LuaVm::create_function(const std::string& sha, std::string_view body) {
  lua_State* L = L_;
  if (load_text(L, body, "@user_script") != 0) {
    const char* msg = lua_tostring(L, -1);
    std::string error =
        std::string("ERR Error compiling script (new function): ") + (msg ? msg : "unknown error");
    lua_pop(L, 1);
    return error;
  }
  lua_setfield(L, LUA_REGISTRYINDEX, function_name(sha).c_str());
  return {};
}

bool LuaVm::has_function(const std::string& sha) {
  lua_getfield(L_, LUA_REGISTRYINDEX, function_name(sha).c_str());
  bool found = lua_isfunction(L_, -1);
  lua_pop(L_, 1);
  return found;
}

namespace {
void push_string_array(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}
void set_string_array(lua_State* L, const char* name, std::span<const std::string_view> items) {
  lua_getfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  push_string_array(L, items);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

// The error object's fields (after error_handler): Redis's reply text.
std::string error_text(lua_State* L, const std::string& sha) {
  if (!lua_istable(L, -1)) {
    const char* text = lua_tostring(L, -1);
    return std::string("ERR Error running script (call to f_") + sha +
           "): " + (text ? text : "execution failure");
  }
  lua_getfield(L, -1, "err");
  std::string message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "ERR unknown error";
  lua_pop(L, 1);
  if (message.starts_with('-')) message.erase(0, 1);
  lua_getfield(L, -1, "source");
  lua_getfield(L, -2, "line");
  if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
    message += " script: " + sha + ", on " + lua_tostring(L, -2) + ":" +
               std::to_string(lua_tointeger(L, -1)) + ".";
  }
  lua_pop(L, 2);
  return message;
}
}  // namespace

bool LuaVm::run_registered(const std::string& registry_key, const std::string& name,
                           bool as_arguments, std::span<const std::string_view> keys,
                           std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
                           ScriptHooks& hooks) {
  lua_State* L = L_;
  lua_settop(L, 0);
  lua_pushlightuserdata(L, &hooks);
  lua_setfield(L, LUA_REGISTRYINDEX, kHooksKey);
  lua_pushinteger(L, kReplAll);
  lua_setfield(L, LUA_REGISTRYINDEX, kReplKey);
  if (!as_arguments) set_string_array(L, "KEYS", keys);
  if (!as_arguments) set_string_array(L, "ARGV", args);
  lua_getfield(L, LUA_REGISTRYINDEX, "basalt_error_handler");
  lua_getfield(L, LUA_REGISTRYINDEX, registry_key.c_str());
  if (as_arguments) push_string_array(L, keys);
  if (as_arguments) push_string_array(L, args);
  lua_sethook(L, count_hook, LUA_MASKCOUNT, kHookEvery);
  int status = lua_pcall(L, as_arguments ? 2 : 0, 1, 1);
  lua_sethook(L, nullptr, 0, 0);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kHooksKey);
  bool ok = status == 0;
  if (ok) {
    write_reply(L, -1, reply);
  } else if (status == LUA_ERRMEM) {
    reply.error("ERR Error running script (call to " + registry_key + "): not enough memory");
  } else {
    reply.error(error_text(L, name));
  }
  lua_settop(L, 0);
  // Garbage from this run is collected now, a step at a time as Redis does.
  lua_gc(L, LUA_GCSTEP, 1);
  return ok;
}

size_t LuaVm::memory_bytes() {
  return static_cast<size_t>(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(L_, LUA_GCCOUNTB, 0));
}

}  // namespace basalt::scripting
