// tests/unit/function_libraries_test.cpp — FUNCTION libraries on their own (node/scripting/):
// loading (header, load-time sandbox, registration forms, clashes, REPLACE keeping the old
// library when the new one fails), calling a function with keys and arguments as its two
// parameters, the load timeout, and the DUMP payload (round trip, checksum, version, framing).
#include "node/scripting/function_libraries.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/protocol/reply.h"
#include "node/scripting/function_dump.h"
#include "node/scripting/shebang.h"

namespace basalt::scripting {
namespace {

std::string call(FunctionLibraries& libs, std::string_view name,
                 std::vector<std::string_view> keys = {}, std::vector<std::string_view> args = {}) {
  const FunctionInfo* fn = libs.find(name);
  if (!fn) return "not found";
  std::string out;
  protocol::ReplyBuilder reply(out);
  ScriptHooks hooks;
  libs.run(*fn, keys, args, reply, hooks);
  return out;
}

TEST(FunctionLibraries, LoadsCallsAndReplaces) {
  FunctionLibraries libs;
  std::string name;
  ASSERT_EQ(libs.load("#!lua name=l1\n"
                      "local function helper(x) return x .. '!' end\n"
                      "redis.register_function('echo', function(keys, args) "
                      "return {keys[1], helper(args[1]), #keys, #args} end)\n"
                      "redis.register_function{function_name='ro', callback=function() return 1 "
                      "end, flags={'NO-WRITES', 'allow-oom'}, description='d'}\n",
                      false, true, name),
            "");
  EXPECT_EQ(name, "l1");
  EXPECT_EQ(call(libs, "echo", {"k"}, {"a", "b"}), "*4\r\n$1\r\nk\r\n$2\r\na!\r\n:1\r\n:2\r\n");
  EXPECT_EQ(call(libs, "ECHO", {"k2"}, {"x"}),  // names are case-insensitive
            "*4\r\n$2\r\nk2\r\n$2\r\nx!\r\n:1\r\n:1\r\n");
  const FunctionInfo* ro = libs.find("ro");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->flags, kHasShebang | kNoWrites | kAllowOom);
  EXPECT_EQ(ro->description, "d");
  EXPECT_EQ(flag_names(ro->flags), (std::vector<std::string_view>{"no-writes", "allow-oom"}));

  // A failing REPLACE keeps the old library, callable as before.
  EXPECT_EQ(libs.load("#!lua name=l1\nredis.register_function('x', 1)", true, true, name),
            "ERR Error registering functions: ERR second argument to redis.register_function "
            "must be a function");
  EXPECT_EQ(call(libs, "ro"), ":1\r\n");
  // A clash with another library's function refuses the new one.
  EXPECT_EQ(libs.load("#!lua name=l2\nredis.register_function('echo', function() end)", false, true,
                      name),
            "ERR Function echo already exists");
  // REPLACE swaps the functions: the old ones are gone.
  ASSERT_EQ(libs.load("#!lua name=l1\nredis.register_function('new', function() return 5 end)",
                      true, true, name),
            "");
  EXPECT_EQ(call(libs, "echo"), "not found");
  EXPECT_EQ(call(libs, "new"), ":5\r\n");
  EXPECT_EQ(libs.function_count(), 1u);
  EXPECT_TRUE(libs.remove("l1"));
  EXPECT_FALSE(libs.remove("l1"));
  EXPECT_EQ(libs.function_count(), 0u);
}

TEST(FunctionLibraries, LoadTimeSandboxAndTimeout) {
  FunctionLibraries libs;
  std::string name;
  EXPECT_EQ(libs.load("#!lua name=x\nlocal s = string.rep('a', 2)", false, true, name),
            "ERR Error registering functions: ERR user_function:2: Script attempted to access "
            "nonexistent global variable 'string'");
  EXPECT_EQ(libs.load("#!lua name=x\nredis.call('ping')", false, true, name),
            "ERR Error registering functions: ERR user_function:2: Script attempted to access "
            "nonexistent global variable 'call'");
  EXPECT_EQ(libs.load("#!lua name=x\nwhile true do end", false, true, name),
            "ERR Error registering functions: ERR FUNCTION LOAD timeout");
  // At run time the full globals are back, and register_function refuses.
  ASSERT_EQ(libs.load("#!lua name=x\nlocal r = redis\n"
                      "redis.register_function('f', function() return string.rep('a', 2) end)\n"
                      "redis.register_function('g', function() "
                      "return r.register_function('z', function() end) end)\n",
                      false, true, name),
            "");
  EXPECT_EQ(call(libs, "f"), "$2\r\naa\r\n");
  EXPECT_EQ(call(libs, "g"),
            "-ERR redis.register_function can only be called on FUNCTION LOAD command script: g, "
            "on @user_function:4.\r\n");
  libs.flush();
  EXPECT_EQ(call(libs, "f"), "not found");
  EXPECT_TRUE(libs.libraries().empty());
}

TEST(FunctionDump, RoundTripsAndRefusesDamage) {
  std::vector<std::string_view> codes = {"#!lua name=a\ncode a", std::string_view("\0b\n", 3)};
  std::string payload = dump_libraries(codes);
  std::vector<std::string> back;
  ASSERT_TRUE(parse_library_dump(payload, back));
  EXPECT_EQ(back, (std::vector<std::string>{"#!lua name=a\ncode a", std::string("\0b\n", 3)}));
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string damaged = payload;
    damaged[i] ^= 0x20;
    EXPECT_FALSE(parse_library_dump(damaged, back)) << "byte " << i;
  }
  EXPECT_FALSE(parse_library_dump(payload.substr(0, payload.size() - 1), back));
  EXPECT_FALSE(parse_library_dump("", back));
  ASSERT_TRUE(parse_library_dump(dump_libraries({}), back));
  EXPECT_TRUE(back.empty());
}

}  // namespace
}  // namespace basalt::scripting
