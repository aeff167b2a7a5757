// tests/integration/scripting_differential_test.cpp — Lua scripting against Debian's real
// redis-server 7.0: the same EVAL / EVALSHA / EVAL_RO / SCRIPT commands go to both and the raw
// replies must be equal byte for byte: conversions both ways, errors and their wrapping, pcall,
// nested tables, cjson and bit, KEYS/ARGV, error_reply/status_reply, NOSCRIPT, SCRIPT
// EXISTS/LOAD/FLUSH, compile errors, the sandbox and the read-only globals, binary chunks
// refused, shebang flags;
// DEBUG PROTOCOL, the RESP3 reply tables ({double=}, {map=}, ...) and DEBUG
// SET-DISABLE-DENY-SCRIPTS (against a redis-server started with enable-debug-command).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

Command eval(const std::string& body, std::vector<std::string> rest = {"0"}) {
  Command c = {"EVAL", body};
  c.insert(c.end(), rest.begin(), rest.end());
  return c;
}

TEST(ScriptingDifferential, ConversionsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  const std::vector<Command> cases = {
      eval("return 1"),
      eval("return 3.99"),
      eval("return -3.7"),
      eval("return 1e20"),
      eval("return 'text'"),
      eval("return true"),
      eval("return false"),
      eval("return nil"),
      eval("return {1,2,{3,'x',{4,{5}}},nil,4}"),
      eval("return {1,false,3}"),
      eval("return {}"),
      eval("return {err='boom'}"),
      eval("return {err='MYCODE boom'}"),
      eval("return {err=1}"),
      eval("return {ok='fine'}"),
      eval("return {ok=3}"),
      eval("return redis.error_reply('My Error')"),
      eval("return redis.error_reply('-My Error')"),
      eval("return redis.error_reply('ERR\nx')"),
      eval("return redis.error_reply(1)"),
      eval("return redis.status_reply('FINE')"),
      eval("return redis.status_reply('two\r\nlines')"),
      eval("return redis.status_reply()"),
      eval("return {1, redis.status_reply('S'), redis.error_reply('E x'), 'b'}"),
      {"SET", "s", "str"},
      {"RPUSH", "l", "a", "b", "c"},
      {"HSET", "h", "f", "v"},
      eval("return redis.call('get','s')"),
      eval("return redis.call('get','missing')"),
      eval("return redis.call('lrange','l',0,-1)"),
      eval("return redis.call('hgetall','h')"),
      eval("return redis.call('hgetall','missing')"),
      eval("return redis.call('ping')"),
      eval("return redis.call('set','n',1.5)"),
      // numbers become arguments as "%.17g" (Lua's own "%.14g" would lose digits)
      eval("redis.call('set','n',0.1) return redis.call('get','n')"),
      eval("redis.call('set','n',9007199254740991) return redis.call('get','n')"),
      eval("redis.call('set','n',-0.0) return redis.call('get','n')"),
      eval("redis.call('set','n',1/0) return redis.call('get','n')"),
      eval("redis.call('set','n',3) return redis.call('get','n')"),
      eval("return redis.call('get','n')"),
      eval("return {redis.call('set','x','1'), redis.call('incr','x'), redis.call('get','x')}"),
      eval("return type(redis.call('get','missing'))"),
      eval("return redis.call('ping')['ok']"),
      eval("return redis.pcall('incr','l')['err']"),
      eval("return cjson.encode(redis.call('ping'))"),
      eval("return cjson.encode(redis.pcall('nosuch'))"),
      eval("return cjson.encode(redis.pcall('incr','l'))"),
      eval("return cjson.encode({1,2,{a=1}})"),
      eval("return cjson.decode('[1,2,3]')"),
      eval("return cjson.encode(cjson.decode('{\"a\":{\"b\":[1,2,{\"c\":true}]}}'))"),
      eval("return cjson.decode('{\"a\":[1,2,null]}').a[2]"),
      eval("return bit.band(7,3)"),
      eval("return bit.tohex(255)"),
      eval("return bit.bxor(5,3)"),
      eval("return redis.sha1hex('')"),
      eval("return redis.sha1hex('abc')"),
      eval("return string.upper('abc') .. ('x'):rep(2)"),
      eval("return table.concat({1,2},',')"),
      eval("return math.floor(3.7)"),
      eval("return tostring(0.1)"),
      eval("return redis.REDIS_VERSION"),
      eval("return tostring(redis.LOG_NOTICE)..redis.REPL_ALL..redis.REPL_NONE..redis.REPL_SLAVE"),
      eval("return redis.replicate_commands()"),
      eval("return redis.log(redis.LOG_WARNING, 'from a test')"),
      eval("return redis.setresp(2)"),
  };
  EXPECT_EQ(pair.same_all(cases), "");
}

TEST(ScriptingDifferential, KeysArgvAndCacheMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  const std::vector<Command> cases = {
      {"SET", "k1", "v1"},
      eval("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2],#KEYS,#ARGV}", {"2", "k1", "k2", "a1", "a2"}),
      eval("return redis.call('get',KEYS[1]) .. ARGV[1]", {"1", "k1", "z"}),
      eval("return 1", {"-1"}),
      eval("return 1", {"2", "a"}),
      eval("return 1", {"x"}),
      {"EVAL", "return 1"},
      {"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
      {"EVALSHA", "abc", "0"},
      {"EVALSHA", "abc", "x"},
      {"EVALSHA", "abc", "5"},
      {"SCRIPT", "LOAD", "return 'loaded'"},
      {"SCRIPT", "EXISTS", "f7d5a8fbd0f0b8c8f1f8a8d3e2c1a0f9e8d7c6b5",
       "c4b6f5e4e4a3f9b1c1b9d4b8b8f8c0e0d2a1b3c4"},
      {"SCRIPT", "LOAD", "return 1"},
      {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "nope"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"},
      {"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "x"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "5"},
      {"SCRIPT", "FLUSH", "bad"},
      {"SCRIPT", "FLUSH", "ASYNC"},
      {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"SCRIPT", "FLUSH", "SYNC"},
      {"SCRIPT", "FLUSH"},
      {"SCRIPT", "KILL"},
      {"SCRIPT", "foo"},
      {"SCRIPT", "LOAD", "return 1 +"},
      eval("return 1 +"),
      eval("local x = "),
      eval("#!lua\nreturn 1"),
      eval("#!lua flags=no-writes\nreturn redis.call('get','k1')"),
      eval("#!lua flags=no-writes\nreturn redis.call('set','a','b')"),
      eval("#!lua flags=bad\nreturn 1"),
      eval("#!luax\nreturn 1"),
      eval("#!lua name=x\nreturn 1"),
      {"EVAL_RO", "return redis.call('get','k1')", "0"},
      {"EVAL_RO", "return redis.call('set','a','b')", "0"},
      {"EXISTS", "a"},
  };
  EXPECT_EQ(pair.same_all(cases), "");
}

TEST(ScriptingDifferential, ErrorsAndSandboxMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  std::vector<Command> cases = {
      {"SET", "s", "str"},
      eval("x = 1"),
      eval("return x"),
      eval("error('boom')"),
      eval("error({err='custom'})"),
      eval("error(42)"),
      eval("error()"),
      eval("local t = nil\nreturn t.x"),
      eval("return redis.call('nosuch')"),
      eval("return redis.call('incr')"),
      eval("return redis.call('set','a','b','c')"),
      eval("return redis.call('incr','s')"),
      eval("return redis.pcall('incr','s')"),
      eval("return redis.pcall('set','a','b','c')"),
      eval("return {1,redis.pcall('nosuch'),3}"),
      eval("local t = redis.pcall('nosuch') return t['err']"),
      eval("return redis.call()"),
      eval("return redis.call({})"),
      eval("return redis.call('multi')"),
      eval("return redis.call('blpop','l',0)"),
      eval("return redis.call('eval','return 1','0')"),
      eval("return redis.call('script','load','return 1')"),
      eval("return redis.call('subscribe','c')"),
      eval("return redis.setresp(4)"),
      eval("return redis.set_repl(7)"),
      eval("return redis.sha1hex()"),
      eval("return redis.log(1)"),
      eval("return redis.log('x','y')"),
      eval("local ok, e = pcall(redis.call, 'nosuch') return e"),
      eval("local ok, e = pcall(redis.call, 'incr', 's') return e"),
      eval("return pcall(error,'x')"),
      eval("string.x = 1"),
      eval("redis.call = nil"),
      eval("cjson.encode = nil"),
      eval("_G.y = 1"),
      eval("loadstring('z = 1')()"),
      eval("return loadstring('return 1')()"),
      eval("return redis.call('ping')"),  // still works after the attempts above
      eval("local a = {} a.x = 1 return a.x"),
      eval("return _G"),
      eval("return type(_G)"),
      eval("return getmetatable(_G)"),
      eval("return type(coroutine)"),
      eval("return _VERSION"),
      // read-only tables: setmetatable on them, and the metatable getmetatable(_G) shows
      eval("setmetatable(_G, {})"),
      eval("setmetatable(string, {})"),
      eval("setmetatable(redis, {})"),
      eval("local g = getmetatable(_G) g.__index = {}"),
      eval("return {pcall(setmetatable, _G, {})}"),
      eval("local t = setmetatable({}, {__index=function() return 7 end}) return t.x"),
      eval("return setmetatable()"),
      eval("return setmetatable({}, 1)"),
      eval("local t = setmetatable({}, {__metatable=1}) setmetatable(t, {})"),
      // Precompiled (binary) chunks are parsed as text, so they fail (Redis 7.0's Lua)
      eval("local f, e = loadstring(string.dump(function() return 1 end)) "
           "return {tostring(f), e}"),
      eval("return loadstring(string.dump(function() return 1 end))()"),
      eval("return {loadstring('return +')}"),
      eval("return loadstring('return 5')()"),
      eval("\x1bLuaQ return 1"),
      {"FUNCTION", "LOAD", "#!lua name=bin\n\x1bLuaQ"},
  };
  for (const char* name : {"os", "io", "package", "require", "loadfile", "dofile", "debug", "print",
                           "getfenv", "setfenv", "newproxy", "module"})
    cases.push_back(eval(std::string("return ") + name));
  EXPECT_EQ(pair.same_all(cases), "");
}

// DEBUG needs enable-debug-command on redis-server too, so this pair is started here.
TEST(ScriptingDifferential, DebugProtocolAndResp3TablesMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  BasaltServer basalt;
  basalt.start();
  RedisOracle redis({"--enable-debug-command", "yes"});
  redis.start();
  RespClient ours = basalt.client();
  RespClient theirs = redis.client();
  std::vector<Command> cases;
  for (const char* type : {"string", "integer", "double", "bignum", "null", "array", "set", "map",
                           "attrib", "push", "verbatim", "true", "false", "bogus"})
    cases.push_back({"DEBUG", "PROTOCOL", type});
  const std::vector<Command> more = {
      eval("return {double=3.5}"),
      eval("return {double=1/0}"),
      eval("return {double='x'}"),
      eval("return {big_number='12\r\n3'}"),
      eval("return {big_number=12}"),
      eval("return {verbatim_string={format='txt',string='hi'}}"),
      eval("return {verbatim_string={string='hi'}}"),
      eval("return {map={a=1}}"),
      eval("return {map={a={1,{double=2}}}}"),
      eval("return {set={a=true}}"),
      eval("return {err='E x', double=1}"),
      eval("return {ok='fine', map={a=1}}"),
      eval("return {double=2, map={a=1}}"),
      // noscript commands: refused, then allowed by SET-DISABLE-DENY-SCRIPTS (not all of them)
      eval("return redis.call('debug','protocol','map')"),
      eval("return redis.call('client','getname')"),
      eval("return redis.call('client','nosuch')"),
      eval("return redis.call('config','get','nosuch')"),
      {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"},
      eval("return redis.call('debug','protocol','map')"),
      eval("return redis.call('debug','protocol','double')"),
      eval("return redis.call('client','getname')"),
      eval("return redis.call('config','get','nosuch')"),
      {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"},
      eval("return redis.call('client','getname')"),
  };
  cases.insert(cases.end(), more.begin(), more.end());
  for (const Command& c : cases)
    EXPECT_EQ(ours.command_raw(c), theirs.command_raw(c)) << render_command(c);
  // Where basalt differs on purpose: even allowed, a script runs no transaction, no script
  // and no subscription (Redis would let MULTI through and leave the script client in it).
  ours.command({"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"});
  for (const char* call : {"redis.call('multi')", "redis.call('eval','return 1','0')",
                           "redis.call('subscribe','c')", "redis.call('script','flush')"})
    EXPECT_EQ(ours.command_raw(eval(std::string("return ") + call))
                  .rfind("-ERR This Redis command is not allowed from script", 0),
              0u)
        << call;
}

}  // namespace
}  // namespace basalt::test
