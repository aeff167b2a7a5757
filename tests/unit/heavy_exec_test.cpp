// tests/unit/heavy_exec_test.cpp — which queued commands let EXEC run as a heavy job
// (core::may_run_in_heavy_exec), judged on the real command table: the data commands do; what
// blocks, switches db, publishes, runs scripts, flushes, administers or reads loop-only state
// does not.
#include "node/core/heavy_exec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/commands/command_table.h"

namespace basalt {
namespace {

bool allowed(const std::string& name) {
  const core::CommandSpec* spec = commands::table().find(name);
  EXPECT_NE(spec, nullptr) << name;
  return spec && core::may_run_in_heavy_exec(*spec);
}

TEST(HeavyExec, DataCommandsRunOffTheLoop) {
  for (const std::string name :
       {"set",         "get",    "incr",        "append",      "setbit", "del",
        "exists",      "expire", "persist",     "ttl",         "rename", "copy",
        "move",        "lpush",  "lmove",       "lrange",      "hset",   "hgetall",
        "sadd",        "spop",   "sunionstore", "sinterstore", "zadd",   "zunionstore",
        "zrangestore", "zrange", "dbsize",      "type",        "touch"})
    EXPECT_TRUE(allowed(name)) << name;
}

TEST(HeavyExec, LoopOnlyCommandsKeepTheTransactionOnTheLoop) {
  for (const std::string name :
       {"select",   "flushall", "flushdb", "publish", "subscribe", "blpop",  "blmove",
        "bzpopmin", "wait",     "eval",    "evalsha", "fcall",     "script", "replicaof",
        "slaveof",  "config",   "client",  "debug",   "keys",      "scan",   "sscan",
        "hscan",    "zscan",    "object",  "ping",    "echo",      "info",   "multi",
        "exec",     "watch",    "auth",    "acl",     "shutdown"})
    EXPECT_FALSE(allowed(name)) << name;
}

}  // namespace
}  // namespace basalt
