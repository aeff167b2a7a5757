// node/scripting/function_libraries.h — Redis 7.0's FUNCTION libraries: parsing a library's
// `#!lua name=<lib>` header, running its code in the load-time environment (only
// redis.register_function, redis.log and the version fields; anything else is Redis's
// "nonexistent global variable" error; 500 ms at most unless from the master or the disk),
// the libraries and functions it registered, and calling one function with its keys and
// arguments. The functions live in an interpreter of their own (as in Redis), never the
// EVAL one. It knows nothing of commands or storage: the FUNCTION commands persist and
// propagate (node/commands/scripting/function_cmds.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/scripting/lua_vm.h"

namespace basalt::scripting {

struct FunctionInfo {
  std::string name;
  std::string library;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;  // ScriptFlag bits (shebang.h); always with kHasShebang
  std::string registry_key;
};

struct FunctionLibrary {
  std::string name;
  std::string code;  // as loaded, header included
  std::map<std::string, FunctionInfo> functions;
};

// The flags FUNCTION LIST shows, in Redis's order.
std::vector<std::string_view> flag_names(uint32_t flags);

class FunctionLibraries {
 public:
  FunctionLibraries();
  ~FunctionLibraries();

  // FUNCTION LOAD: "" (and `name` set) or Redis's error text ("ERR ..."). `timeout`: the
  // 500 ms load limit applies (not for the master's stream or the node's own disk).
  std::string load(std::string_view code, bool replace, bool timeout, std::string& name);
  // FUNCTION DELETE: false if there is no such library.
  bool remove(const std::string& name);
  // FUNCTION FLUSH: every library gone, a fresh interpreter.
  void flush();

  const std::map<std::string, FunctionLibrary>& libraries() const { return libraries_; }
  // FCALL's lookup (function names are case-insensitive, as in Redis); null if none.
  const FunctionInfo* find(std::string_view name) const;
  size_t function_count() const { return functions_.size(); }
  size_t memory_bytes() { return vm_.memory_bytes(); }

  // Runs `fn` (script thread or event loop; never while a library loads).
  bool run(const FunctionInfo& fn, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
           ScriptHooks& hooks);

 private:
  // Compiles and runs the library body; fills `out`'s functions or returns the error.
  std::string evaluate(std::string_view body, bool timeout, FunctionLibrary& out);
  void unlink(const FunctionLibrary& lib);
  void link(const FunctionLibrary& lib);

  LuaVm vm_;
  std::map<std::string, FunctionLibrary> libraries_;
  std::map<std::string, const FunctionInfo*> functions_;  // lower-cased name -> function
  uint64_t next_load_ = 0;  // makes every loaded callback's registry key unique
};

}  // namespace basalt::scripting
