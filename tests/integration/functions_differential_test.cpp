// tests/integration/functions_differential_test.cpp — FUNCTION / FCALL against Debian's real
// redis-server 7.0, raw replies byte for byte: FUNCTION LOAD (positional and named forms,
// flags, descriptions, REPLACE) and its errors (metadata, names, the load-time sandbox,
// compile and registration errors, clashes), FCALL / FCALL_RO replies and errors (their
// wording and the function name and line they name), LIST (one library at a time: Redis lists
// them in hash order), DELETE, FLUSH, STATS' shape, and the argument errors of each form.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

Command load(const std::string& body) {
  return {"FUNCTION", "LOAD", body};
}

TEST(FunctionsDifferential, LoadCallListDeleteAndErrorsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  // One function per listed library: Redis lists a library's functions in hash order.
  const std::string lib1 =
      "#!lua name=lib1\n"
      "redis.register_function('f1', function(keys, args) return redis.call('set', keys[1], "
      "args[1]) end)\n";
  const std::string lib2 =
      "#!lua name=lib2\n"
      "redis.register_function{function_name='f2', callback=function(keys, args) return "
      "redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}, "
      "description='reads a key'}\n";
  const std::vector<Command> cases = {
      {"FUNCTION", "LIST"},
      {"FUNCTION", "STATS"},
      load(lib1),
      load(lib1),
      {"FUNCTION", "LOAD", "REPLACE", lib1},
      {"FUNCTION", "LOAD", "BAD", lib1},
      {"FUNCTION", "LOAD", "REPLACE"},
      {"FUNCTION", "LIST"},
      {"FUNCTION", "LIST", "WITHCODE"},
      load(lib2),
      {"FUNCTION", "LIST", "LIBRARYNAME", "lib2", "WITHCODE"},
      {"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "*1"},
      {"FUNCTION", "LIST", "LIBRARYNAME", "nomatch"},
      {"FUNCTION", "LIST", "LIBRARYNAME"},
      {"FUNCTION", "LIST", "BAD"},
      {"FUNCTION", "STATS"},
      {"FCALL", "f2", "1", "k"},
      {"FCALL", "f1", "1", "k", "v"},
      {"FCALL", "F1", "1", "k", "v2"},
      {"FCALL_RO", "f2", "1", "k"},
      {"FCALL_RO", "f1", "1", "k", "v"},
      {"FCALL", "nosuch", "0"},
      {"FCALL", "f1", "x"},
      {"FCALL", "f1", "5", "a"},
      {"FCALL", "f1", "-1"},
      {"FCALL"},
      load("no header"),
      load("#!lua"),
      load("#!lua name=x foo=bar\n"),
      load("#!lua name=x name=y\n"),
      load("#!lua\nredis.register_function('f', function() end)"),
      load("#!lua name=bad-name\n"),
      load("#!lua name=\"quoted\"\nredis.register_function('q', function() return 1 end)"),
      load("#!lua name=\"unbalanced\nredis.register_function('q2', function() return 1 end)"),
      load("#!lua 'name=x'y\nredis.register_function('q3', function() return 1 end)"),
      {"FUNCTION", "DELETE", "quoted"},
      load("#!lua2 name=x\n"),
      load("#!lua name=x\nreturn 1"),
      load("#!lua name=x\nredis.call('ping')"),
      load("#!lua name=x\nlocal a = string.len('a')"),
      load("#!lua name=x\nerror('boom')"),
      load("#!lua name=x\nredis.register_function('f1', function() return 1 end)"),
      load("#!lua name=x\nredis.register_function('f 1', function() return 1 end)"),
      load("#!lua name=x\nredis.register_function('fx', function() return 1 end"),
      load("#!lua name=x\nredis.register_function('fx')"),
      load("#!lua name=x\nredis.register_function('fx', 1)"),
      load("#!lua name=x\nredis.register_function(1, 2, 3)"),
      load("#!lua name=x\nredis.register_function{function_name='fx', callback=function() "
           "return 1 end, flags={'bad'}}"),
      load("#!lua name=x\nredis.register_function{function_name='fx', callback=1}"),
      load("#!lua name=x\nredis.register_function{callback=function() end}"),
      load("#!lua name=x\nredis.register_function{function_name='fx'}"),
      load("#!lua name=x\nredis.register_function{function_name='fx', callback=function() end, "
           "other=1}"),
      load("#!lua name=x\nredis.register_function('a', function() end)\n"
           "redis.register_function('a', function() end)"),
      load("#!lua name=x\nlocal f = function() return 1 end\nredis.register_function('fx', f)\n"
           "redis.register_function('fy', f)"),
      {"FCALL", "fx", "0"},
      {"FCALL", "fy", "0"},
      load("#!lua name=e\n"
           "redis.register_function('err', function() return redis.call('nosuch') end)\n"
           "redis.register_function('err2', function() error('boom') end)\n"
           "redis.register_function('err3', function() return foo end)\n"
           "redis.register_function('err4', function(keys, args) return {keys[1], args[1], "
           "#keys, #args} end)\n"
           "redis.register_function('err5', function() return redis.pcall('incr', 'k') end)\n"),
      {"FCALL", "err", "0"},
      {"FCALL", "err2", "0"},
      {"FCALL", "err3", "0"},
      {"FCALL", "err4", "2", "k1", "k2", "a1"},
      {"FCALL", "err5", "0"},
      {"FUNCTION", "STATS"},
      {"FUNCTION", "DELETE", "nosuch"},
      {"FUNCTION", "DELETE", "e"},
      {"FUNCTION", "DELETE"},
      {"FUNCTION", "KILL"},
      {"FUNCTION", "FLUSH", "bad"},
      {"FUNCTION", "FLUSH", "sync", "x"},
      {"FUNCTION", "RESTORE", "garbage"},
      {"FUNCTION", "RESTORE", "x", "bad"},
      {"FUNCTION", "RESTORE", "x", "flush", "extra"},
      {"FUNCTION", "NOSUCH"},
      {"FUNCTION", "HELP"},
      {"FUNCTION", "FLUSH"},
      {"FUNCTION", "LIST"},
      {"FCALL", "f1", "0"},
  };
  EXPECT_EQ(pair.same_all(cases), "");
}

}  // namespace
}  // namespace basalt::test
