// tests/unit/script_fiber_test.cpp — ScriptFiber (node/commands/scripting/script_fiber.h): a
// body runs to its end, or suspends and is resumed (also from another thread, as a script set
// aside to the script thread is), deep recursion fits its stack, an exception escaping the
// body reaches the caller, and the fiber is reused for the next body.
#include "node/commands/scripting/script_fiber.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace basalt::commands {
namespace {

TEST(ScriptFiber, RunsABodyToItsEnd) {
  ScriptFiber fiber;
  int ran = 0;
  fiber.start([&] { ++ran; });
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(fiber.idle());
  fiber.start([&] { ran += 10; });  // reused
  EXPECT_EQ(ran, 11);
}

// Through a volatile pointer: glibc declares pthread_self const, so two direct calls in one
// frame may be folded into one (the frame moved to another thread in between).
std::thread::id (*volatile current_thread)() = [] { return std::this_thread::get_id(); };

TEST(ScriptFiber, SuspendedBodyGoesOnOnAnotherThread) {
  ScriptFiber fiber;
  std::vector<int> steps;
  std::thread::id first, second;
  fiber.start([&] {
    first = current_thread();
    steps.push_back(1);
    fiber.suspend();
    second = current_thread();
    steps.push_back(2);
    fiber.suspend();
    steps.push_back(3);
  });
  EXPECT_EQ(steps, std::vector<int>({1}));
  EXPECT_FALSE(fiber.idle());
  std::thread other([&] { fiber.resume(); });
  other.join();
  EXPECT_EQ(steps, std::vector<int>({1, 2}));
  EXPECT_NE(first, second);
  fiber.resume();
  EXPECT_EQ(steps, std::vector<int>({1, 2, 3}));
  EXPECT_TRUE(fiber.idle());
}

int depth(int n) {
  volatile char pad[512];
  pad[0] = static_cast<char>(n);
  return n == 0 ? pad[0] : 1 + depth(n - 1);
}

TEST(ScriptFiber, DeepRecursionFitsAndExceptionsReachTheCaller) {
  ScriptFiber fiber;
  int result = 0;
  fiber.start([&] { result = depth(4000); });  // about 2 MB of stack
  EXPECT_EQ(result, 4000);
  EXPECT_THROW(fiber.start([] { throw std::runtime_error("boom"); }), std::runtime_error);
  EXPECT_TRUE(fiber.idle());
  fiber.start([&] { result = 7; });
  EXPECT_EQ(result, 7);
}

}  // namespace
}  // namespace basalt::commands
