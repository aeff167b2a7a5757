// tests/unit/lua_vm_test.cpp — the Lua interpreter on its own (node/scripting/): the sandbox
// (forbidden globals and libraries, read-only globals and library tables), the conversions
// both ways (through a fake redis.call that answers chosen RESP bytes), cjson and bit round
// trips, the shebang, the error texts, the stop hook.
#include "node/scripting/lua_vm.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/protocol/reply.h"
#include "node/scripting/sha1.h"
#include "node/scripting/shebang.h"

namespace basalt::scripting {
namespace {

class LuaVmTest : public ::testing::Test {
 protected:
  // Compiles and runs `body` with the given KEYS/ARGV; the raw reply.
  std::string run(const std::string& body, std::vector<std::string_view> keys = {},
                  std::vector<std::string_view> args = {}) {
    std::string sha = sha1_hex(body);
    if (!vm.has_function(sha)) {
      std::string error = vm.create_function(sha, compilable_body(body));
      if (!error.empty()) return "-" + error + "\r\n";
    }
    std::string out;
    protocol::ReplyBuilder reply(out);
    vm.run(sha, keys, args, reply, hooks);
    return out;
  }

  LuaVm vm;
  ScriptHooks hooks;
};

TEST_F(LuaVmTest, LuaValuesBecomeRedisReplies) {
  EXPECT_EQ(run("return 'x'"), "$1\r\nx\r\n");
  EXPECT_EQ(run("return 3.99"), ":3\r\n");
  EXPECT_EQ(run("return -3.99"), ":-3\r\n");
  EXPECT_EQ(run("return 1e300"), ":-9223372036854775808\r\n");
  EXPECT_EQ(run("return 0/0"), ":-9223372036854775808\r\n");
  EXPECT_EQ(run("return true"), ":1\r\n");
  EXPECT_EQ(run("return false"), "$-1\r\n");
  EXPECT_EQ(run("return nil"), "$-1\r\n");
  EXPECT_EQ(run("return {1,'a',{2,{}},nil,5}"), "*3\r\n:1\r\n$1\r\na\r\n*2\r\n:2\r\n*0\r\n");
  EXPECT_EQ(run("return {err='CODE msg'}"), "-CODE msg\r\n");
  EXPECT_EQ(run("return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(run("return {ok='a\\r\\nb'}"), "+a  b\r\n");
  EXPECT_EQ(run("return redis.error_reply('oops')"), "-ERR oops\r\n");
  EXPECT_EQ(run("return redis.status_reply('S')"), "+S\r\n");
  EXPECT_EQ(run("return function() end"), "$-1\r\n");
}

TEST_F(LuaVmTest, RedisRepliesBecomeLuaValues) {
  std::string answer;
  std::vector<std::string> seen;
  hooks.call = [&](std::span<const std::string_view> argv, int, std::string& out) {
    seen.assign(argv.begin(), argv.end());
    out += answer;
  };
  answer = ":42\r\n";
  EXPECT_EQ(run("return type(redis.call('x')) .. redis.call('x')"), "$8\r\nnumber42\r\n");
  answer = "$-1\r\n";
  EXPECT_EQ(run("return tostring(redis.call('x'))"), "$5\r\nfalse\r\n");
  answer = "*-1\r\n";
  EXPECT_EQ(run("return tostring(redis.call('x'))"), "$5\r\nfalse\r\n");
  answer = "+OK\r\n";
  EXPECT_EQ(run("return redis.call('x').ok"), "$2\r\nOK\r\n");
  answer = "*3\r\n$1\r\na\r\n*1\r\n:7\r\n$0\r\n\r\n";
  EXPECT_EQ(run("local t = redis.call('x') return {#t, t[1], t[2][1], t[3]}"),
            "*4\r\n:3\r\n$1\r\na\r\n:7\r\n$0\r\n\r\n");
  answer = "-WRONGTYPE bad\r\n";
  EXPECT_EQ(run("local e = redis.pcall('x') return e.err"), "$13\r\nWRONGTYPE bad\r\n");
  std::string raised = run("return redis.call('x')");
  EXPECT_EQ(raised.rfind("-WRONGTYPE bad script: ", 0), 0u) << raised;
  // Arguments: strings and numbers (as Lua prints them); anything else is refused.
  answer = "+OK\r\n";
  run("redis.call('set', 'k', 1.5, 10)");
  EXPECT_EQ(seen, (std::vector<std::string>{"set", "k", "1.5", "10"}));
  raised = run("redis.call('set', {})");
  EXPECT_EQ(raised.rfind("-ERR Lua redis lib command arguments must be strings or integers", 0), 0u)
      << raised;
}

TEST_F(LuaVmTest, KeysAndArgvAreSetPerRun) {
  EXPECT_EQ(run("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", {"k"}, {"a", "b"}),
            "*4\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n:2\r\n");
  EXPECT_EQ(run("return {#KEYS, #ARGV}"), "*2\r\n:0\r\n:0\r\n");
}

TEST_F(LuaVmTest, SandboxRefusesWhatRedisRefuses) {
  for (const char* name : {"os", "io", "package", "require", "loadfile", "dofile", "debug", "print",
                           "getfenv", "setfenv", "module"}) {
    std::string reply = run(std::string("return ") + name);
    EXPECT_EQ(reply.rfind(std::string("-ERR user_script:1: Script attempted to access nonexistent "
                                      "global variable '") +
                              name + "'",
                          0),
              0u)
        << reply;
  }
  for (const char* body : {"x = 1", "string.x = 1", "redis.call = nil", "cjson.encode = nil",
                           "bit.band = nil", "math.pi = 3", "_G.y = 2", "loadstring('z = 1')()"}) {
    std::string reply = run(body);
    EXPECT_EQ(reply.rfind("-ERR ", 0), 0u) << body << ": " << reply;
    EXPECT_NE(reply.find(":1: Attempt to modify a readonly table script: "), std::string::npos)
        << body << ": " << reply;
  }
  // Nothing leaked into the next run.
  EXPECT_EQ(run("return type(redis.call) .. type(cjson.encode) .. tostring(math.pi > 3)"),
            "$20\r\nfunctionfunctiontrue\r\n");
}

TEST_F(LuaVmTest, CjsonAndBitRoundTrip) {
  EXPECT_EQ(run("return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":\"c\"}]}'))"),
            "$21\r\n{\"a\":[1,2,{\"b\":\"c\"}]}\r\n");
  EXPECT_EQ(run("local t = cjson.decode(ARGV[1]) return {t.n, t.s, tostring(t.z == cjson.null)}",
                {}, {"{\"n\":5,\"s\":\"x\",\"z\":null}"}),
            "*3\r\n:5\r\n$1\r\nx\r\n$4\r\ntrue\r\n");
  EXPECT_EQ(run("return {bit.band(12, 10), bit.bor(12, 10), bit.bxor(12, 10), bit.lshift(1, 4), "
                "bit.tohex(255)}"),
            "*5\r\n:8\r\n:14\r\n:6\r\n:16\r\n$8\r\n000000ff\r\n");
}

TEST_F(LuaVmTest, ErrorsAreWordedAsRedis) {
  std::string sha = sha1_hex("error('boom')");
  EXPECT_EQ(run("error('boom')"),
            "-ERR user_script:1: boom script: " + sha + ", on @user_script:1.\r\n");
  EXPECT_EQ(run("return 1 +"),
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'<eof>'\r\n");
  std::string body = "#!lua\n\nerror({err='MY thing'})";
  EXPECT_EQ(run(body), "-MY thing script: " + sha1_hex(body) + ", on @user_script:3.\r\n");
}

TEST_F(LuaVmTest, StopHookEndsEvenAPcallLoop) {
  int asked = 0;
  hooks.should_stop = [&]() -> std::string { return ++asked > 3 ? "stopped" : ""; };
  std::string reply = run("while true do pcall(function() while true do end end) end");
  EXPECT_EQ(reply.rfind("-ERR stopped", 0), 0u) << reply;
  hooks.should_stop = nullptr;
  EXPECT_EQ(run("return 1"), ":1\r\n");
}

TEST_F(LuaVmTest, ResetForgetsFunctions) {
  run("return 1");
  EXPECT_TRUE(vm.has_function(sha1_hex("return 1")));
  vm.reset();
  EXPECT_FALSE(vm.has_function(sha1_hex("return 1")));
}

TEST(Shebang, FlagsAndErrors) {
  EXPECT_EQ(parse_shebang("return 1").flags, 0u);
  EXPECT_EQ(parse_shebang("#!lua\nreturn 1").flags, uint32_t{kHasShebang});
  EXPECT_EQ(parse_shebang("#!lua flags=no-writes,allow-oom\nreturn 1").flags,
            uint32_t{kHasShebang | kNoWrites | kAllowOom});
  EXPECT_EQ(parse_shebang("#!lua flags=x\n").error, "ERR Unexpected flag in script shebang: x");
  EXPECT_EQ(parse_shebang("#!js\n").error, "ERR Unexpected engine in script shebang: #!js");
  EXPECT_EQ(parse_shebang("#!lua name=a\n").error, "ERR Unknown lua shebang option: name=a");
  EXPECT_EQ(compilable_body("#!lua\nreturn 1"), "--lua\nreturn 1");
}

TEST(Sha1, KnownDigests) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

}  // namespace
}  // namespace basalt::scripting
