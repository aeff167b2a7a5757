// node/commands/scripting/script_fiber.h — a stack a script runs on, apart from the thread
// that starts it, so that a script begun on the event loop can be set aside mid-run and
// continued on the script thread (script_host.h). It is a ucontext (makecontext/swapcontext)
// on its own mmap'ed stack with a guard page; the stack is kept for the next script. One body
// runs on it at a time; start/resume return when the body ends or calls suspend(); resume may
// be called from another thread than start (the caller hands the fiber over with a
// happens-before, e.g. a mutex). The body must not hold thread-local addresses across
// suspend() (Lua keeps none; redis.call has returned before a script is set aside).
// An exception escaping the body is rethrown by the start/resume that ran it.
#pragma once

#include <ucontext.h>

#include <cstddef>
#include <exception>
#include <functional>

namespace basalt::commands {

class ScriptFiber {
 public:
  explicit ScriptFiber(size_t stack_bytes = size_t{8} << 20);
  ~ScriptFiber();
  ScriptFiber(const ScriptFiber&) = delete;
  ScriptFiber& operator=(const ScriptFiber&) = delete;

  // Runs `body` on the fiber until it ends or suspends (the fiber must be idle).
  void start(std::function<void()> body);
  // Continues a suspended body until it ends or suspends again.
  void resume();
  // Inside the body: back to the start/resume that ran it.
  void suspend();
  // The body ended (or none was started): the fiber may start another.
  bool idle() const { return idle_; }

 private:
  static void entry(unsigned high, unsigned low);
  void enter();

  void* map_ = nullptr;  // guard page + stack
  size_t map_bytes_ = 0;
  char* stack_ = nullptr;
  size_t stack_bytes_ = 0;
  ucontext_t blank_{};  // what makecontext starts from
  ucontext_t fiber_{};
  ucontext_t caller_{};
  std::function<void()> body_;
  std::exception_ptr error_;
  bool idle_ = true;
  // AddressSanitizer's view of the two stacks (used only in sanitized builds).
  void* fake_stack_ = nullptr;
  const void* caller_bottom_ = nullptr;
  size_t caller_size_ = 0;
};

}  // namespace basalt::commands
