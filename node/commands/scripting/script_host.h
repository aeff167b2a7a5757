// node/commands/scripting/script_host.h — the node's scripting state as the commands see it:
// the Lua interpreter and the script cache (node/scripting/), and running one script for
// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO. Its redis.call commands run through the dispatcher
// with the script's own client and the caller's keyspace view, so a script's writes join the
// caller's write group and propagate as their effects (wrapped in MULTI/EXEC when more than
// one command propagated). EVAL itself is never propagated.
//
// In a write group (the usual case) a script starts inline on the event loop, on its own
// stack (script_fiber.h): redis.call runs the command right there, no thread handoff, so a
// short script costs about what its commands cost. The Lua count hook and each redis.call
// check the clock; a script still running after a short slice (kInlineSlice, 5 ms) is set
// aside: its fiber switches back to the EVAL handler, which leaves an in-group continuation
// that the write pipeline awaits before the group's next command. The continuation resumes
// the fiber on the script thread (script_thread.h), where each redis.call is posted to the
// event loop and run there, its reply handed back. Meanwhile connections hold their
// commands, and past busy-reply-threshold (counted from when the script was set aside, so
// at most the slice late) answer -BUSY but to SCRIPT KILL (stops a script that has not
// written), SHUTDOWN NOSAVE (stops any script, its writes undone), AUTH and HELLO. Why a fiber
// rather than a Lua coroutine yielded from the hook: Lua 5.1 can't yield across a C call (a
// script's pcall, a sort comparator, a metamethod), and a script looping inside pcall must still be
// set aside; and rather than polling the io_context from the hook: that would resume other Asio
// coroutines (the write pipeline's own included) in the middle of a handler. While inline, nothing
// else runs on the loop, so no stop request can arrive; the slice is what the loop may stall. A
// script queued in MULTI runs inline when EXEC runs it (on the loop's stack, never set aside);
// there it is stopped at busy-reply-threshold (nothing else can be served meanwhile), its writes
// undone.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/command.h"
#include "node/scripting/function_libraries.h"
#include "node/scripting/lua_vm.h"
#include "node/scripting/script_cache.h"

namespace basalt::commands {

class ScriptFiber;
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
  // Scripts that ran past the inline slice and went on on the script thread.
  uint64_t moved_to_thread() const { return moved_to_thread_; }
  // DEBUG SET-DISABLE-DENY-SCRIPTS 1: scripts may call commands flagged noscript (as Redis,
  // for tests; blocking and transaction commands stay refused).
  bool disable_deny_scripts = false;
  // Libraries in the store that failed to load (at start-up, or after a full sync replaced
  // the dataset: a replica that cannot load its master's library), since start; each one
  // also logged as an error (INFO memory function_libraries_failed_to_load).
  uint64_t function_load_failures = 0;

  // How one script or function body is called, on whatever stack runs it.
  using ScriptBody = std::function<void(
      std::span<const std::string_view> keys, std::span<const std::string_view> args,
      protocol::ReplyBuilder& reply, scripting::ScriptHooks& hooks)>;

 private:
  // SCRIPT KILL (`function` false) or FUNCTION KILL: "" or the refusal.
  std::string request_kill(bool function);
  std::unique_ptr<ScriptFiber> take_fiber();
  void give_back(std::unique_ptr<ScriptFiber> fiber);
  // run() and run_function(): inline on a fiber first, then (past the slice) on the thread;
  // inside EXEC on the loop (run_inline). `function` is set for FCALL.
  void execute(Context& c, std::shared_ptr<ScriptRun> run, size_t numkeys, std::string label,
               ScriptBody body, std::shared_ptr<RunningFunction> function);
  void run_inline(ScriptRun& run, const std::string& label, std::span<const std::string_view> keys,
                  std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
                  const ScriptBody& body);

  scripting::LuaVm vm_;
  scripting::ScriptCache cache_;
  std::unique_ptr<ScriptThread> thread_;
  std::unique_ptr<ScriptFiber> spare_fiber_;  // the stack the next script runs on
  ScriptRun* running_ = nullptr;              // the running script (event loop's view)
  std::atomic<int> stop_request_{0};  // 1: SCRIPT KILL, 2: abort (read by the script thread)
  uint64_t moved_to_thread_ = 0;
  scripting::FunctionLibraries functions_;
  std::shared_ptr<RunningFunction> running_function_;  // set while a function (not EVAL) runs
};

// The scripting state of `node`, made by attach_scripting at start-up (node/app/) and
// dropped by detach_scripting before the node goes.
ScriptHost& script_host(core::Node& node);
void attach_scripting(core::Node& node);
void detach_scripting(core::Node& node);

}  // namespace basalt::commands
