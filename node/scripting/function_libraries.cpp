// node/scripting/function_libraries.cpp — see function_libraries.h. The load-time
// environment: the interpreter's globals proxy (lua_vm.cpp) reads its names from the table in
// the registry under "basalt_allowed_globals"; while a library loads, that table is swapped for
// one holding only the load-time `redis` table, so the library's code sees nothing else, and
// the functions it registers still see the full globals when they run later (as Redis swaps
// its globals' __index).
#include "node/scripting/function_libraries.h"

#include <cctype>
#include <chrono>
#include <lua.hpp>

#include "node/scripting/read_only_tables.h"
#include "node/scripting/shebang.h"
#include "node/scripting/text_only_load.h"
#include "node/util/ascii.h"

namespace basalt::scripting {

namespace {

constexpr const char* kAllowedKey = "basalt_allowed_globals";  // lua_vm.cpp's globals table
constexpr const char* kLoadApiKey = "basalt_function_load_api";
constexpr const char* kLoadContextKey = "basalt_function_load";
constexpr auto kLoadTimeout = std::chrono::milliseconds(500);

struct LoadContext {
  FunctionLibrary* library;
  std::string key_prefix;
  bool timeout;
  std::chrono::steady_clock::time_point started;
};

struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlags[] = {{kNoWrites, "no-writes"},
                               {kAllowOom, "allow-oom"},
                               {kAllowStale, "allow-stale"},
                               {kNoCluster, "no-cluster"},
                               {kAllowCrossSlot, "allow-cross-slot-keys"}};

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Raises Redis's error table {err="ERR <message>"} (nothing with a destructor is alive here:
// lua_error unwinds with longjmp).
int raise(lua_State* L, const char* message) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushstring(L, "ERR ");
  lua_pushstring(L, message);
  lua_concat(L, 2);
  lua_settable(L, -3);
  return lua_error(L);
}

LoadContext* load_context(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  auto* ctx = static_cast<LoadContext*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return ctx;
}

// The `flags` table of the named form; false on an unknown flag.
bool read_flags(lua_State* L, int index, uint32_t& flags) {
  for (int i = 1;; ++i) {
    lua_rawgeti(L, index, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return true;
    }
    bool known = false;
    if (lua_type(L, -1) == LUA_TSTRING) {
      std::string_view name = lua_tostring(L, -1);
      for (const auto& f : kFlags) {
        if (util::iequals(name, f.name)) {
          flags |= f.flag;
          known = true;
        }
      }
    }
    lua_pop(L, 1);
    if (!known) return false;
  }
}

// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...}: adds the function to the library being loaded
// (its callback kept in the registry); nullptr, or the error message to raise. Every C++ object
// here is gone before register_function raises (lua_error unwinds with longjmp).
const char* do_register(lua_State* L) {
  LoadContext* ctx = load_context(L);
  if (!ctx) return "redis.register_function can only be called on FUNCTION LOAD command";
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return ("wrong number of arguments to redis.register_function");
  FunctionInfo fn;
  fn.flags = kHasShebang;
  bool named_found = false, callback_found = false;
  if (argc == 2) {
    if (!lua_isstring(L, 1)) return ("first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2))
      return ("second argument to redis.register_function must be a function");
    size_t len = 0;
    const char* name = lua_tolstring(L, 1, &len);
    fn.name.assign(name, len);
    named_found = callback_found = true;
  } else {
    if (!lua_istable(L, 1))
      return (
          "calling redis.register_function with a single argument is only applicable to "
          "Lua table (representing named arguments).");
    lua_settop(L, 1);
    lua_pushnil(L);  // slot 2: the callback, once found (as in the positional form)
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      if (lua_type(L, -2) != LUA_TSTRING)
        return ("named argument key given to redis.register_function is not a string");
      std::string_view key = lua_tostring(L, -2);
      if (util::iequals(key, "function_name")) {
        if (!lua_isstring(L, -1))
          return ("function_name argument given to redis.register_function must be a string");
        size_t len = 0;
        const char* name = lua_tolstring(L, -1, &len);
        fn.name.assign(name, len);
        named_found = true;
      } else if (util::iequals(key, "description")) {
        if (!lua_isstring(L, -1))
          return ("description argument given to redis.register_function must be a string");
        size_t len = 0;
        const char* text = lua_tolstring(L, -1, &len);
        fn.description.assign(text, len);
        fn.has_description = true;
      } else if (util::iequals(key, "callback")) {
        if (!lua_isfunction(L, -1))
          return ("callback argument given to redis.register_function must be a function");
        lua_pushvalue(L, -1);
        lua_replace(L, 2);
        callback_found = true;
      } else if (util::iequals(key, "flags")) {
        if (!lua_istable(L, -1))
          return (
              "flags argument to redis.register_function must be a table representing "
              "function flags");
        if (!read_flags(L, lua_gettop(L), fn.flags)) return ("unknown flag given");
      } else {
        return ("unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!named_found) return ("redis.register_function must get a function name argument");
    if (!callback_found) return ("redis.register_function must get a callback argument");
  }
  if (!valid_name(fn.name))
    return (
        "Library names can only contain letters, numbers, or underscores(_) and must be "
        "at least one character long");
  auto& functions = ctx->library->functions;
  if (functions.count(fn.name)) return ("Function already exists in the library");
  fn.library = ctx->library->name;
  fn.registry_key = ctx->key_prefix + fn.name;
  lua_pushvalue(L, 2);
  lua_setfield(L, LUA_REGISTRYINDEX, fn.registry_key.c_str());
  functions.emplace(fn.name, std::move(fn));
  return nullptr;
}

int register_function(lua_State* L) {
  const char* error = do_register(L);
  return error ? raise(L, error) : 0;
}

void load_hook(lua_State* L, lua_Debug*) {
  LoadContext* ctx = load_context(L);
  if (!ctx || !ctx->timeout) return;
  if (std::chrono::steady_clock::now() - ctx->started <= kLoadTimeout) return;
  lua_sethook(L, load_hook, LUA_MASKCOUNT, 1);  // a pcall in the library can't swallow it
  raise(L, "FUNCTION LOAD timeout");
}

int strict_index(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
}

// The table the globals read while a library loads: {redis = <load-time redis table>}.
void install_load_api(lua_State* L) {
  lua_newtable(L);  // the load-time redis table's contents
  lua_pushcfunction(L, register_function);
  lua_setfield(L, -2, "register_function");
  lua_getfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  lua_getfield(L, -1, "redis");  // the run-time redis table (a read-only proxy)
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, name);
    lua_setfield(L, -4, name);
  }
  lua_pop(L, 2);
  push_read_only_proxy(L, strict_index);  // reading a name it lacks is an error
  lua_newtable(L);                        // the load-time globals
  lua_insert(L, -2);
  lua_setfield(L, -2, "redis");
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadApiKey);
}

// The header line split as Redis's sdssplitargs splits it: blanks separate arguments, "..."
// (with \\n, \\xHH, ... escapes) and '...' quote; false on unbalanced quotes.
bool split_args(std::string_view line, std::vector<std::string>& out) {
  size_t i = 0;
  auto blank = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; };
  auto hex = [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; };
  auto hex_value = [](char ch) {
    return std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0' : (std::tolower(ch) - 'a' + 10);
  };
  for (;;) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) return true;
    std::string current;
    bool in_double = false, in_single = false;
    for (;; ++i) {
      if (in_double) {
        if (i >= line.size()) return false;
        if (line[i] == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && hex(line[i + 2]) &&
            hex(line[i + 3])) {
          current.push_back(
              static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < line.size()) {
          char c = line[++i];
          current.push_back(c == 'n'   ? '\n'
                            : c == 'r' ? '\r'
                            : c == 't' ? '\t'
                            : c == 'b' ? '\b'
                            : c == 'a' ? '\a'
                                       : c);
        } else if (line[i] == '"') {
          if (i + 1 < line.size() && !blank(line[i + 1])) return false;
          in_double = false;
          ++i;
          break;
        } else {
          current.push_back(line[i]);
        }
      } else if (in_single) {
        if (i >= line.size()) return false;
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          current.push_back('\'');
          ++i;
        } else if (line[i] == '\'') {
          if (i + 1 < line.size() && !blank(line[i + 1])) return false;
          in_single = false;
          ++i;
          break;
        } else {
          current.push_back(line[i]);
        }
      } else {
        if (i >= line.size() || blank(line[i])) break;
        if (line[i] == '"') {
          in_double = true;
        } else if (line[i] == '\'') {
          in_single = true;
        } else {
          current.push_back(line[i]);
        }
      }
    }
    out.push_back(std::move(current));
  }
}

void drop_callbacks(lua_State* L, const FunctionLibrary& lib) {
  for (const auto& [name, fn] : lib.functions) {
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, fn.registry_key.c_str());
  }
}

}  // namespace

std::vector<std::string_view> flag_names(uint32_t flags) {
  std::vector<std::string_view> out;
  for (const auto& f : kFlags)
    if (flags & f.flag) out.push_back(f.name);
  return out;
}

FunctionLibraries::FunctionLibraries() {
  install_load_api(vm_.state());
}
FunctionLibraries::~FunctionLibraries() = default;

const FunctionInfo* FunctionLibraries::find(std::string_view name) const {
  auto it = functions_.find(lower(name));
  return it == functions_.end() ? nullptr : it->second;
}

void FunctionLibraries::unlink(const FunctionLibrary& lib) {
  for (const auto& [name, fn] : lib.functions) functions_.erase(lower(name));
}

void FunctionLibraries::link(const FunctionLibrary& lib) {
  for (const auto& [name, fn] : lib.functions) functions_[lower(name)] = &fn;
}

std::string FunctionLibraries::evaluate(std::string_view body, bool timeout, FunctionLibrary& out) {
  lua_State* L = vm_.state();
  lua_settop(L, 0);
  if (load_text(L, body, "@user_function") != 0) {
    std::string error = std::string("ERR Error compiling function: ") + lua_tostring(L, -1);
    lua_settop(L, 0);
    return error;
  }
  LoadContext ctx{&out, "fn:" + std::to_string(++next_load_) + ":", timeout,
                  std::chrono::steady_clock::now()};
  lua_getfield(L, LUA_REGISTRYINDEX, kAllowedKey);  // the run-time globals, put back below
  lua_insert(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kLoadApiKey);
  lua_setfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  lua_pushlightuserdata(L, &ctx);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);
  int status = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  std::string error;
  if (status != 0) {
    std::string message;
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "ERR unknown error";
      lua_pop(L, 1);
    } else {
      const char* text = lua_tostring(L, -1);
      message = std::string("ERR ") + (text ? text : "unknown error");
    }
    error = "ERR Error registering functions: " + message;
  }
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  lua_pushvalue(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, kAllowedKey);
  lua_settop(L, 0);
  return error;
}

std::string FunctionLibraries::load(std::string_view code, bool replace, bool timeout,
                                    std::string& name) {
  if (!code.starts_with("#!")) return "ERR Missing library metadata";
  size_t newline = code.find('\n');
  if (newline == std::string_view::npos) return "ERR Invalid library metadata";
  std::vector<std::string> parts;
  if (!split_args(code.substr(0, newline), parts)) return "ERR Invalid library metadata";
  if (parts.empty()) return "ERR Invalid library metadata";
  std::string_view engine = std::string_view(parts[0]).substr(2);
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && util::iequals(std::string_view(parts[i]).substr(0, 5), "name=")) {
      if (named) return "ERR Invalid metadata value, name argument was given multiple times";
      name = parts[i].substr(5);
      named = true;
      continue;
    }
    return "ERR Invalid metadata value given: " + parts[i];
  }
  if (!named) return "ERR Library name was not given";
  if (!valid_name(name))
    return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
           "least one character long";
  if (!util::iequals(engine, "lua")) return "ERR Engine '" + std::string(engine) + "' not found";
  auto old = libraries_.find(name);
  if (old != libraries_.end() && !replace) return "ERR Library '" + name + "' already exists";
  if (old != libraries_.end()) unlink(old->second);

  FunctionLibrary lib{name, std::string(code), {}};
  std::string error = evaluate(code.substr(newline), timeout, lib);
  if (error.empty() && lib.functions.empty()) error = "ERR No functions registered";
  for (const auto& [fname, fn] : lib.functions) {
    if (!error.empty()) break;
    if (find(fname)) error = "ERR Function " + fname + " already exists";
  }
  if (!error.empty()) {
    drop_callbacks(vm_.state(), lib);
    if (old != libraries_.end()) link(old->second);
    return error;
  }
  if (old != libraries_.end()) {
    drop_callbacks(vm_.state(), old->second);
    libraries_.erase(old);
  }
  auto& stored = libraries_[name] = std::move(lib);
  link(stored);
  return {};
}

bool FunctionLibraries::remove(const std::string& name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return false;
  unlink(it->second);
  drop_callbacks(vm_.state(), it->second);
  libraries_.erase(it);
  return true;
}

void FunctionLibraries::flush() {
  functions_.clear();
  libraries_.clear();
  vm_.reset();
  install_load_api(vm_.state());
}

bool FunctionLibraries::run(const FunctionInfo& fn, std::span<const std::string_view> keys,
                            std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
                            ScriptHooks& hooks) {
  return vm_.run_registered(fn.registry_key, fn.name, true, keys, args, reply, hooks);
}

}  // namespace basalt::scripting
