// node/commands/scripting/script_host.h — the node's scripting state as the commands see it:
// the Lua interpreter and the script cache (node/scripting/), and running one script for
// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO. Its redis.call commands run through the dispatcher
// with the script's own client and the caller's keyspace view, so a script's writes join the
// caller's write group and propagate as their effects (wrapped in MULTI/EXEC when more than
// one command propagated). EVAL itself is never propagated.
//
// In a write group (the usual case) the script runs on the script thread: the EVAL handler
// leaves an in-group continuation that the write pipeline awaits before the group's next
// command; each redis.call is posted to the event loop and run there, its reply handed back.
// Meanwhile connections hold their commands, and past busy-reply-threshold answer -BUSY but
// to SCRIPT KILL (stops a script that has not written), SHUTDOWN NOSAVE (stops any script,
// its writes undone), AUTH and HELLO. A script queued in MULTI runs inline when EXEC runs it;
// there it is stopped at busy-reply-threshold (nothing else can be served meanwhile), its
// writes undone.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/command.h"
#include "node/scripting/function_libraries.h"
#include "node/scripting/lua_vm.h"
#include "node/scripting/script_cache.h"

namespace basalt::commands {

class ScriptThread;
struct ScriptRun;

class ScriptHost {
 public:
  ScriptHost();
  ~ScriptHost();

  scripting::LuaVm& vm() { return vm_; }
  scripting::ScriptCache& cache() { return cache_; }
  // SCRIPT FLUSH: the cache and every compiled function.
  void flush() {
    cache_.clear();
    vm_.reset();
  }
  // The script `sha` (in the cache) with the keys and args of c.argv; `read_only`: the _RO
  // forms (or a no-writes shebang).
  void run(Context& c, const std::string& sha, size_t numkeys, bool read_only);

  // SCRIPT KILL: "" (it will stop), or the error to answer (NOTBUSY, UNKILLABLE).
  std::string kill();

  // FUNCTION: the libraries (their own interpreter), FCALL / FCALL_RO running `fn` as run()
  // runs a script (same thread, busy rules and effects replication), FUNCTION KILL, and what
  // FUNCTION STATS shows of a running function.
  scripting::FunctionLibraries& functions() { return functions_; }
  void run_function(Context& c, const scripting::FunctionInfo& fn, size_t numkeys, bool read_only);
  std::string kill_function();
  // Over maxmemory counting both Lua interpreters too (Redis's used_memory includes them):
  // what deny-oom FUNCTION and FCALL forms and redis.call inside scripts are judged by.
  bool over_maxmemory(Context& c);
  struct RunningFunction {
    std::string name;
    std::vector<std::string> command;
  };
  bool running_eval() const { return running_ && !running_function_; }
  const RunningFunction* running_function() const {
    return running_ && running_function_ ? running_function_.get() : nullptr;
  }
  // SHUTDOWN NOSAVE / shutdown: stops a running script whatever it did (its writes undone).
  void abort();

 private:
  void run_inline(ScriptRun& run, const std::string& sha, std::span<const std::string_view> keys,
                  std::span<const std::string_view> args, protocol::ReplyBuilder& reply);

  scripting::LuaVm vm_;
  scripting::ScriptCache cache_;
  std::unique_ptr<ScriptThread> thread_;
  ScriptRun* running_ = nullptr;      // the script on the thread (event loop's view)
  std::atomic<int> stop_request_{0};  // 1: SCRIPT KILL, 2: abort (read by the script thread)
  scripting::FunctionLibraries functions_;
  std::shared_ptr<RunningFunction> running_function_;  // set while a function (not EVAL) runs
};

// The scripting state of `node`, made by attach_scripting at start-up (node/app/) and
// dropped by detach_scripting before the node goes.
ScriptHost& script_host(core::Node& node);
void attach_scripting(core::Node& node);
void detach_scripting(core::Node& node);

}  // namespace basalt::commands
