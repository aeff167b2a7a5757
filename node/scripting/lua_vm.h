// node/scripting/lua_vm.h — the node's Lua 5.1 interpreter (one per node, created at
// start-up): the sandbox (base, table, string, math, cjson, bit; no os/io/package/debug,
// no loadfile/dofile/print; globals read-only as in Redis 7.0), the `redis` table, scripts
// compiled into functions named f_<sha1>, and running one with KEYS/ARGV. It knows no command:
// redis.call reaches the node through the hooks its caller passes to run().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

struct lua_State;

namespace basalt::protocol {
class ReplyBuilder;
}

namespace basalt::scripting {

// redis.set_repl's flags (REPL_AOF, REPL_REPLICA, ...).
enum ReplFlag : int { kReplNone = 0, kReplAof = 1, kReplReplica = 2, kReplAll = 3 };

// What a running script reaches outside the VM.
struct ScriptHooks {
  // Runs one command for redis.call / redis.pcall (`argv` already checked: at least one
  // argument, all strings) with the replication flags redis.set_repl chose; appends its RESP2
  // reply to `out` (an error reply for a refusal, with Redis's text).
  std::function<void(std::span<const std::string_view> argv, int repl_flags, std::string& out)>
      call;
  // redis.log(level, message): 0 debug, 1 verbose, 2 notice, 3 warning.
  std::function<void(int level, std::string_view message)> log;
  // Asked every few thousand instructions: a non-empty answer stops the script with that
  // error (SCRIPT KILL, a time limit).
  std::function<std::string()> should_stop;
};

class LuaVm {
 public:
  LuaVm();
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  // Compiles `body` into f_<sha>: "" or Redis's error ("ERR Error compiling script ...").
  std::string create_function(const std::string& sha, std::string_view body);
  bool has_function(const std::string& sha);
  // Runs f_<sha> with KEYS and ARGV; its result (or its error, worded as Redis's) goes to
  // `reply`. True if it returned, false if it raised an error.
  bool run(const std::string& sha, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
           ScriptHooks& hooks) {
    return run_registered("f_" + sha, sha, false, keys, args, reply, hooks);
  }
  // Runs the function stored in the registry under `registry_key` (`name` in its errors):
  // KEYS and ARGV as globals, or (`as_arguments`, FCALL) as its two arguments.
  bool run_registered(const std::string& registry_key, const std::string& name, bool as_arguments,
                      std::span<const std::string_view> keys,
                      std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
                      ScriptHooks& hooks);
  // The interpreter itself, for the function libraries (node/scripting/function_libraries.h).
  lua_State* state() { return L_; }
  // SCRIPT FLUSH: a fresh interpreter (every function gone).
  void reset();
  // Kilobytes the interpreter uses (INFO used_memory_lua).
  size_t memory_bytes();

 private:
  void open();
  void close();

  lua_State* L_ = nullptr;
};

}  // namespace basalt::scripting
