// node/commands/scripting/script_fiber.cpp — see script_fiber.h.
#include "node/commands/scripting/script_fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define BASALT_FIBER_ASAN 1
#endif

namespace basalt::commands {

ScriptFiber::ScriptFiber(size_t stack_bytes) {
  auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  stack_bytes_ = (stack_bytes + page - 1) / page * page;
  map_bytes_ = stack_bytes_ + page;
  // Reserved, not committed: pages are touched (and counted) only as deep as a script goes.
  map_ = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map_ == MAP_FAILED) throw std::bad_alloc();
  mprotect(map_, page, PROT_NONE);  // the guard page below the stack (it grows down)
  stack_ = static_cast<char*>(map_) + page;
  getcontext(&blank_);
}

ScriptFiber::~ScriptFiber() {
  munmap(map_, map_bytes_);
}

void ScriptFiber::entry(unsigned high, unsigned low) {
  auto* self = reinterpret_cast<ScriptFiber*>((static_cast<uintptr_t>(high) << 32) |
                                              static_cast<uintptr_t>(low));
#ifdef BASALT_FIBER_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &self->caller_bottom_, &self->caller_size_);
#endif
  try {
    self->body_();
  } catch (...) {
    self->error_ = std::current_exception();
  }
  self->body_ = nullptr;
  self->idle_ = true;
#ifdef BASALT_FIBER_ASAN
  __sanitizer_start_switch_fiber(nullptr, self->caller_bottom_, self->caller_size_);
#endif
  setcontext(&self->caller_);  // never returns: the fiber's frames end here
}

void ScriptFiber::enter() {
#ifdef BASALT_FIBER_ASAN
  void* caller_fake = nullptr;
  __sanitizer_start_switch_fiber(&caller_fake, stack_, stack_bytes_);
#endif
  swapcontext(&caller_, &fiber_);
#ifdef BASALT_FIBER_ASAN
  __sanitizer_finish_switch_fiber(caller_fake, nullptr, nullptr);
#endif
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ScriptFiber::start(std::function<void()> body) {
  if (!idle_) throw std::logic_error("ScriptFiber::start: a body is still suspended on it");
  body_ = std::move(body);
  idle_ = false;
  fiber_ = blank_;  // (getcontext once, in the constructor: it costs a system call)
  fiber_.uc_stack.ss_sp = stack_;
  fiber_.uc_stack.ss_size = stack_bytes_;
  fiber_.uc_link = nullptr;
  auto address = reinterpret_cast<uintptr_t>(this);
  makecontext(&fiber_, reinterpret_cast<void (*)()>(&ScriptFiber::entry), 2,
              static_cast<unsigned>(address >> 32), static_cast<unsigned>(address));
  enter();
}

void ScriptFiber::resume() {
  enter();
}

void ScriptFiber::suspend() {
#ifdef BASALT_FIBER_ASAN
  __sanitizer_start_switch_fiber(&fake_stack_, caller_bottom_, caller_size_);
#endif
  swapcontext(&fiber_, &caller_);
#ifdef BASALT_FIBER_ASAN
  __sanitizer_finish_switch_fiber(fake_stack_, &caller_bottom_, &caller_size_);
#endif
}

}  // namespace basalt::commands
