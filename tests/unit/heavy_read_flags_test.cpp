// tests/unit/heavy_read_flags_test.cpp — the kMayBeHeavyRead flag of the command table
// (node/core/command_spec.h) and the cost estimates of heavy reads (node/core/heavy_read.cpp)
// name the same commands: a read the estimates know but whose row lacks the flag would never
// run as a heavy read; a flagged row the estimates do not know would pay the check for nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/core/heavy_read.h"

namespace basalt::core {
namespace {

TEST(HeavyReadFlags, FlaggedRowsAreExactlyTheEstimatedReads) {
  std::vector<std::string> flagged;
  for (const auto& row : commands::table().all()) {
    const bool flag = row.has(kMayBeHeavyRead);
    EXPECT_EQ(flag, has_read_cost(row.name)) << row.name;
    if (flag) {
      EXPECT_FALSE(row.needs_write_group()) << row.name << " is flagged but writes";
      flagged.emplace_back(row.name);
    }
  }
  // The whole-collection and range reads, among them, and none of the point reads.
  for (const char* name : {"hgetall", "lrange", "smembers", "zrange", "keys", "sinter"}) {
    EXPECT_TRUE(commands::table().find(name)->has(kMayBeHeavyRead)) << name;
  }
  for (const char* name : {"get", "hget", "mget", "sismember", "zscore", "lindex", "exists"}) {
    EXPECT_FALSE(commands::table().find(name)->has(kMayBeHeavyRead)) << name;
    EXPECT_FALSE(has_read_cost(name)) << name;
  }
  EXPECT_EQ(flagged.size(), 24u);
}

}  // namespace
}  // namespace basalt::core
