// tests/unit/element_positions_test.cpp — the element positions of the command table
// (CommandSpec::elements, the write pipeline's prefetch hint in node/core/write_prefetch.cpp):
// only writes of one collection carry them, after their key, and for each such command's usual
// arguments they name exactly its fields or members (a position off by one would prefetch
// values or scores: no wrong read, but the hint lost without a sign).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "node/commands/command_table.h"

namespace basalt::core {
namespace {

// The arguments `spec`'s element positions name in `argv`, as the prefetch walks them.
std::vector<std::string> named(const CommandSpec& spec, const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  visit_element_indexes(spec, argv.size(), [&](size_t k) { out.push_back(argv[k]); });
  return out;
}

TEST(ElementPositions, OnlyWritesOfOneCollectionNameElementsAfterTheirKey) {
  size_t rows = 0;
  for (const auto& row : commands::table().all()) {
    if (row.elements.first == 0) continue;
    ++rows;
    EXPECT_TRUE(row.needs_write_group()) << row.name << ": only write groups prefetch";
    EXPECT_EQ(row.keys.first, 1) << row.name;
    EXPECT_GT(row.elements.first, row.keys.first) << row.name;
    EXPECT_GE(row.elements.step, 1) << row.name;
  }
  EXPECT_EQ(rows, 12u);
}

TEST(ElementPositions, NameTheFieldsAndMembersOfUsualCalls) {
  const std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> calls =
      {
          {"hset", {{"HSET", "h", "f1", "v1", "f2", "v2"}, {"f1", "f2"}}},
          {"hmset", {{"HMSET", "h", "f1", "v1", "f2", "v2"}, {"f1", "f2"}}},
          {"hsetnx", {{"HSETNX", "h", "f", "v"}, {"f"}}},
          {"hdel", {{"HDEL", "h", "f1", "f2"}, {"f1", "f2"}}},
          {"hincrby", {{"HINCRBY", "h", "f", "1"}, {"f"}}},
          {"hincrbyfloat", {{"HINCRBYFLOAT", "h", "f", "1.5"}, {"f"}}},
          {"sadd", {{"SADD", "s", "a", "b"}, {"a", "b"}}},
          {"srem", {{"SREM", "s", "a", "b"}, {"a", "b"}}},
          {"smove", {{"SMOVE", "s", "d", "a"}, {"a"}}},
          {"zadd", {{"ZADD", "z", "1", "a", "2", "b"}, {"a", "b"}}},
          {"zincrby", {{"ZINCRBY", "z", "1", "a"}, {"a"}}},
          {"zrem", {{"ZREM", "z", "a", "b"}, {"a", "b"}}},
      };
  for (const auto& [name, call] : calls) {
    const CommandSpec* spec = commands::table().find(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(named(*spec, call.first), call.second) << name;
  }
  // Too few arguments (refused later, by the arity check): nothing past the end is named.
  EXPECT_TRUE(named(*commands::table().find("hset"), {"HSET", "h"}).empty());
  EXPECT_TRUE(named(*commands::table().find("zadd"), {"ZADD", "z", "1"}).empty());
}

}  // namespace
}  // namespace basalt::core
