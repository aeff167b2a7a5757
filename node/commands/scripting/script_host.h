// node/commands/scripting/script_host.h — the node's scripting state as the commands see it:
// the Lua interpreter and the script cache (node/scripting/), and running one script for
// EVAL / EVALSHA (and their _RO forms): its redis.call commands run through the dispatcher
// with the script's own client and the caller's keyspace view, so a script's writes join the
// caller's write group and propagate as their effects (wrapped in MULTI/EXEC when more than
// one command propagated). EVAL itself is never propagated.
//
// The script runs on the event loop, so it is atomic; a script that runs longer than
// `busy-reply-threshold` is stopped and its writes are undone (basalt does not yet run
// scripts on a thread of their own, so it can't keep serving SCRIPT KILL meanwhile).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "node/commands/command.h"
#include "node/scripting/lua_vm.h"
#include "node/scripting/script_cache.h"

namespace basalt::commands {

class ScriptHost {
 public:
  scripting::LuaVm& vm() { return vm_; }
  scripting::ScriptCache& cache() { return cache_; }
  // SCRIPT FLUSH: the cache and every compiled function.
  void flush() {
    cache_.clear();
    vm_.reset();
  }
  // The script `sha` (in the cache) with `keys` and `args`; `read_only`: EVAL_RO / EVALSHA_RO.
  void run(Context& c, const std::string& sha, uint32_t script_flags, size_t numkeys,
           bool read_only);

  uint64_t scripts_run() const { return scripts_run_; }

 private:
  scripting::LuaVm vm_;
  scripting::ScriptCache cache_;
  uint64_t scripts_run_ = 0;
};

// The scripting state of `node`, made by attach_scripting at start-up (node/app/) and
// dropped by detach_scripting before the node goes.
ScriptHost& script_host(core::Node& node);
void attach_scripting(core::Node& node);
void detach_scripting(core::Node& node);

}  // namespace basalt::commands
