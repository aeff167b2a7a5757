// tests/integration/bitmaps_test.cpp — SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP against
// redis-server: fixed edge cases and a seeded random sequence over a few keys (ranges in
// bytes and bits, negative indexes, missing and wrong-typed keys), replies byte for byte.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_expect.h"

namespace basalt::test {
namespace {

class BitmapGenerator : public SeededRandom {
 public:
  using SeededRandom::SeededRandom;

  Command next() {
    static const WeightedChoice<BitmapGenerator, Command> choice = {
        {25, &BitmapGenerator::setbit},   {10, &BitmapGenerator::getbit},
        {15, &BitmapGenerator::bitcount}, {20, &BitmapGenerator::bitpos},
        {10, &BitmapGenerator::bitop},    {5, &BitmapGenerator::other},
    };
    return choice.next(*this);
  }

 private:
  std::string key() { return pick(std::vector<std::string>{"b1", "b2", "b3", "str", "h", "none"}); }
  std::string index() {
    return pick(std::vector<std::string>{"0", "1", "2", "-1", "-2", "3", "7", "8", "-9", "100",
                                         "-100", std::to_string(uniform(0, 80))});
  }
  Command setbit() {
    return {"SETBIT", key(), std::to_string(uniform(0, chance(10) ? 400 : 60)),
            chance(50) ? "1" : "0"};
  }
  Command getbit() { return {"GETBIT", key(), std::to_string(uniform(0, 70))}; }
  Command bitcount() {
    Command c = {"BITCOUNT", key()};
    if (chance(70)) {
      c.push_back(index());
      c.push_back(index());
      if (chance(50)) c.push_back(chance(50) ? "BIT" : "BYTE");
    }
    return c;
  }
  Command bitpos() {
    Command c = {"BITPOS", key(), chance(50) ? "1" : "0"};
    if (chance(70)) c.push_back(index());
    if (c.size() == 4 && chance(60)) c.push_back(index());
    if (c.size() == 5 && chance(50)) c.push_back(chance(50) ? "BIT" : "BYTE");
    return c;
  }
  Command bitop() {
    std::string op = pick(std::vector<std::string>{"AND", "OR", "XOR", "NOT"});
    Command c = {"BITOP", op, key(), key()};
    if (op != "NOT" || chance(10)) c.push_back(key());
    return c;
  }
  Command other() {
    return pick(std::vector<Command>{{"GET", key()},
                                     {"STRLEN", key()},
                                     {"SET", "str", "\xff\xf0\x0f"},
                                     {"HSET", "h", "f", "v"},
                                     {"DEL", key()}});
  }
};

TEST(Bitmaps, EdgeCasesMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  const std::vector<Command> cases = {
      {"SETBIT", "k", "7", "1"},
      {"SETBIT", "k", "7", "1"},
      {"GETBIT", "k", "7"},
      {"GET", "k"},
      {"SETBIT", "k", "-1", "1"},
      {"SETBIT", "k", "x", "1"},
      {"SETBIT", "k", "4294967296", "1"},
      {"SETBIT", "k", "1", "2"},
      {"SETBIT", "k", "1", "x"},
      {"SETBIT", "zero", "100", "0"},
      {"STRLEN", "zero"},
      {"GETBIT", "k", "-1"},
      {"GETBIT", "none", "3"},
      {"BITCOUNT", "none", "a", "b"},
      {"BITCOUNT", "k", "a", "b"},
      {"BITCOUNT", "k", "0"},
      {"BITCOUNT", "k", "0", "-1", "WORD"},
      {"BITCOUNT", "k", "0", "-1", "BIT", "x"},
      {"BITPOS", "k", "2"},
      {"BITPOS", "k", "x"},
      {"BITPOS", "none", "1"},
      {"BITPOS", "none", "0"},
      {"BITPOS", "k", "1", "0", "-1", "WORD"},
      {"SET", "full", "\xff\xff"},
      {"BITPOS", "full", "0"},
      {"BITPOS", "full", "0", "0"},
      {"BITPOS", "full", "0", "0", "-1"},
      {"BITPOS", "full", "0", "3", "9", "BIT"},
      {"SET", "empty", ""},
      {"BITPOS", "empty", "0"},
      {"BITPOS", "empty", "1"},
      {"BITCOUNT", "empty"},
      {"BITOP", "NOT", "dst", "k", "k"},
      {"BITOP", "NAND", "dst", "k"},
      {"BITOP", "AND", "dst", "none", "none2"},
      {"EXISTS", "dst"},
      {"HSET", "h", "f", "v"},
      {"BITOP", "OR", "dst", "k", "h"},
      {"SETBIT", "h", "1", "1"},
      {"BITCOUNT", "h"},
      {"SET", "ttl", "x", "EX", "100"},
      {"BITOP", "XOR", "ttl", "k", "full"},
      {"TTL", "ttl"},
      {"GET", "ttl"},
  };
  EXPECT_EQ(pair.same_all(cases), "");
}

class BitmapsDifferential : public ::testing::TestWithParam<uint64_t> {};

TEST_P(BitmapsDifferential, RandomCommandsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  BitmapGenerator gen(GetParam());
  const RandomRunResult run = RandomRun<Command>(
                                  GetParam(), 3000, [&] { return gen.next(); },
                                  [&](const Command& c) { return pair.same(c); })
                                  .run();
  ASSERT_TRUE(run.matched()) << run.report;
  EXPECT_GT(run.count("BITPOS"), 300);
}

INSTANTIATE_TEST_SUITE_P(Seeds, BitmapsDifferential, ::testing::Values(3u, 99u, 20261125u));

}  // namespace
}  // namespace basalt::test
