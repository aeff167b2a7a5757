// tests/unit/zset_encoding_test.cpp — the sorted set storage encoding: the order-preserving
// score bytes (bytewise order == numeric order, -0.0 == 0.0, infinities at the ends), the
// index parts (equal scores ordered by member bytes, as Redis orders them), round trips, and
// the score / lex range specs with Redis's parsing rules (storage/types/zset_encoding.h), and
// how replies write scores (node/commands/zsets/zset_format.h).
#include "storage/types/zset_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "node/commands/zsets/zset_format.h"

namespace basalt::storage::types::zset {
namespace {

using commands::zset::format_listpack_score;
using commands::zset::format_score;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string bytes(double score) {
  std::string s;
  append_score(s, score);
  return s;
}

// Scores in strictly increasing numeric order.
std::vector<double> ascending_scores() {
  return {-kInf,
          -std::numeric_limits<double>::max(),
          -1e300,
          -12345.678,
          -2,
          -1.5,
          -1,
          -0.5,
          -std::numeric_limits<double>::min(),         // smallest normal
          -std::numeric_limits<double>::denorm_min(),  // closest to zero
          0.0,
          std::numeric_limits<double>::denorm_min(),
          std::numeric_limits<double>::min(),
          0.1,
          0.5,
          1,
          1.0000000000000002,
          1.5,
          2,
          1e17,
          1e300,
          std::numeric_limits<double>::max(),
          kInf};
}

TEST(ZsetEncoding, ScoreBytesOrderAsNumbers) {
  auto scores = ascending_scores();
  for (size_t i = 0; i + 1 < scores.size(); ++i) {
    EXPECT_LT(bytes(scores[i]), bytes(scores[i + 1])) << scores[i] << " vs " << scores[i + 1];
    EXPECT_LT(score_bits(scores[i]), score_bits(scores[i + 1]));
  }
}

TEST(ZsetEncoding, ScoreBytesAreEightBigEndian) {
  EXPECT_EQ(bytes(1.0).size(), 8u);
  // 0.0 has only the flipped sign bit set.
  EXPECT_EQ(bytes(0.0), std::string("\x80\0\0\0\0\0\0\0", 8));
  // -inf is the smallest possible image of a number, +inf the largest.
  EXPECT_EQ(bytes(-kInf), std::string("\x00\x0f\xff\xff\xff\xff\xff\xff", 8));
  EXPECT_EQ(bytes(kInf), std::string("\xff\xf0\0\0\0\0\0\0", 8));
}

TEST(ZsetEncoding, NegativeZeroIsZero) {
  EXPECT_EQ(bytes(-0.0), bytes(0.0));
  EXPECT_EQ(score_bits(-0.0), score_bits(0.0));
  double back = read_score(bytes(-0.0));
  EXPECT_EQ(back, 0.0);
  EXPECT_FALSE(std::signbit(back));
  EXPECT_EQ(index_part(-0.0, "m"), index_part(0.0, "m"));
}

TEST(ZsetEncoding, RoundTripsExactly) {
  for (double v : ascending_scores()) {
    EXPECT_EQ(read_score(bytes(v)), v);
    EXPECT_EQ(score_from_bits(score_bits(v)), v);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    double v = std::bit_cast<double>(rng());
    if (std::isnan(v)) continue;
    ASSERT_EQ(std::bit_cast<uint64_t>(read_score(bytes(v))),
              std::bit_cast<uint64_t>(v == 0 ? 0.0 : v));
  }
}

TEST(ZsetEncoding, RandomScoresSortLikeNumbers) {
  std::mt19937_64 rng(11);
  std::vector<double> values;
  std::uniform_real_distribution<double> small(-100, 100);
  for (int i = 0; i < 2000; ++i) {
    uint64_t r = rng();
    double v = (i % 2) ? small(rng) : std::bit_cast<double>(r);
    if (std::isnan(v)) continue;
    values.push_back(v);
  }
  values.push_back(kInf);
  values.push_back(-kInf);
  values.push_back(-0.0);
  values.push_back(0.0);
  auto by_bytes = values;
  std::sort(by_bytes.begin(), by_bytes.end(),
            [](double a, double b) { return bytes(a) < bytes(b); });
  auto by_value = values;
  std::stable_sort(by_value.begin(), by_value.end());
  ASSERT_EQ(by_bytes.size(), by_value.size());
  for (size_t i = 0; i < by_bytes.size(); ++i) EXPECT_EQ(by_bytes[i], by_value[i]) << i;
}

TEST(ZsetEncoding, IndexPartsOrderByScoreThenMemberBytes) {
  // Redis order: score, then member bytes (memcmp, shorter prefix first).
  std::vector<std::pair<double, std::string>> expected = {
      {-kInf, "z"}, {-1, ""},  {-1, "a"},   {-1, "ab"},        {-1, "b"},
      {0, ""},      {0, "A"},  {0, "a"},    {0, "a\x00"},      {0, "a\xff"},
      {0, "b"},     {0.5, ""}, {1, "\x00"}, {1, "\x7f"},       {1, "\x80"},
      {1, "\xff"},  {2, "a"},  {kInf, ""},  {kInf, "\xff\xff"}};
  expected[9].second = std::string("a\xff", 2);
  expected[8].second = std::string("a\0", 2);
  expected[12].second = std::string("\0", 1);
  for (size_t i = 0; i + 1 < expected.size(); ++i) {
    EXPECT_LT(index_part(expected[i].first, expected[i].second),
              index_part(expected[i + 1].first, expected[i + 1].second))
        << i;
  }
  // -0.0 and 0.0 are the same score: members decide.
  EXPECT_LT(index_part(0.0, "a"), index_part(-0.0, "b"));
  EXPECT_LT(index_part(-0.0, "a"), index_part(0.0, "b"));
}

TEST(ZsetEncoding, IndexPartParsesBack) {
  std::string member("m\0x", 3);
  std::string part = index_part(-2.5, member);
  EXPECT_EQ(part[0], kIndexTag);
  double score;
  std::string_view m;
  ASSERT_TRUE(parse_index_part(part, score, m));
  EXPECT_EQ(score, -2.5);
  EXPECT_EQ(m, member);
  ASSERT_TRUE(parse_index_part(index_part(kInf, ""), score, m));
  EXPECT_EQ(score, kInf);
  EXPECT_EQ(m, "");
  EXPECT_FALSE(parse_index_part("s1234567", score, m));  // too short
  EXPECT_FALSE(parse_index_part(member_part("abcdefghij"), score, m));
  EXPECT_EQ(member_part("x"), "mx");
  // Member entries sort before every index entry.
  EXPECT_LT(member_part("\xff\xff"), index_part(-kInf, ""));
}

TEST(ZsetEncoding, FormatsScoresAsRedis) {
  EXPECT_EQ(format_score(1), "1");
  EXPECT_EQ(format_score(1.5), "1.5");
  EXPECT_EQ(format_score(0.1), "0.10000000000000001");
  EXPECT_EQ(format_score(1.1), "1.1000000000000001");
  EXPECT_EQ(format_score(1e17), "1e+17");
  EXPECT_EQ(format_score(-1e-5), "-1.0000000000000001e-05");
  EXPECT_EQ(format_score(kInf), "inf");
  EXPECT_EQ(format_score(-kInf), "-inf");
  EXPECT_EQ(format_score(-0.0), "-0");  // ZINCRBY / ZADD INCR reply a fresh -0 as is
  // The compact form ZSCAN returns: integers while they fit, else %.17g.
  EXPECT_EQ(format_listpack_score(1e17), "100000000000000000");
  EXPECT_EQ(format_listpack_score(-3), "-3");
  EXPECT_EQ(format_listpack_score(-0.0), "0");
  EXPECT_EQ(format_listpack_score(0.25), "0.25");
  EXPECT_EQ(format_listpack_score(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(format_listpack_score(kInf), "inf");
}

TEST(ZsetEncoding, ScoreRangesParseAsRedis) {
  ScoreRange r;
  ASSERT_TRUE(parse_score_range("(1.5", "+inf", r));
  EXPECT_TRUE(r.minex);
  EXPECT_FALSE(r.maxex);
  EXPECT_EQ(r.min, 1.5);
  EXPECT_EQ(r.max, kInf);
  EXPECT_FALSE(r.contains(1.5));
  EXPECT_TRUE(r.contains(1.6));
  EXPECT_TRUE(r.contains(kInf));
  ASSERT_TRUE(parse_score_range("-inf", "(0", r));
  EXPECT_TRUE(r.contains(-kInf));
  EXPECT_FALSE(r.contains(0));
  EXPECT_FALSE(r.contains(-0.0));
  // strtod rules: leading spaces and "" (zero) pass, "(" alone is an exclusive 0.
  ASSERT_TRUE(parse_score_range("", " 2", r));
  EXPECT_EQ(r.min, 0);
  EXPECT_EQ(r.max, 2);
  ASSERT_TRUE(parse_score_range("(", "1e2", r));
  EXPECT_TRUE(r.minex);
  EXPECT_FALSE(parse_score_range("a", "1", r));
  EXPECT_FALSE(parse_score_range("1", "nan", r));
  EXPECT_FALSE(parse_score_range("1 ", "2", r));
  EXPECT_FALSE(parse_score_range("[1", "2", r));
  ASSERT_TRUE(parse_score_range("2", "1", r));
  EXPECT_TRUE(r.always_empty());
  ASSERT_TRUE(parse_score_range("(1", "1", r));
  EXPECT_TRUE(r.always_empty());
  ASSERT_TRUE(parse_score_range("1", "1", r));
  EXPECT_FALSE(r.always_empty());
}

TEST(ZsetEncoding, LexRangesParseAsRedis) {
  LexRange r;
  ASSERT_TRUE(parse_lex_range("-", "+", r));
  EXPECT_TRUE(r.contains(""));
  EXPECT_TRUE(r.contains("\xff"));
  EXPECT_FALSE(r.always_empty());
  ASSERT_TRUE(parse_lex_range("[b", "(d", r));
  EXPECT_FALSE(r.contains("a"));
  EXPECT_TRUE(r.contains("b"));
  EXPECT_TRUE(r.contains("c\xff"));
  EXPECT_FALSE(r.contains("d"));
  ASSERT_TRUE(parse_lex_range("(", "[", r));  // empty strings as bounds
  EXPECT_TRUE(r.always_empty());
  EXPECT_FALSE(parse_lex_range("b", "[d", r));
  EXPECT_FALSE(parse_lex_range("", "+", r));
  EXPECT_FALSE(parse_lex_range("-x", "+", r));
  EXPECT_FALSE(parse_lex_range("-", "++", r));
  ASSERT_TRUE(parse_lex_range("+", "-", r));
  EXPECT_TRUE(r.always_empty());
  ASSERT_TRUE(parse_lex_range("-", "-", r));
  EXPECT_TRUE(r.always_empty());
  ASSERT_TRUE(parse_lex_range("[a", "[a", r));
  EXPECT_FALSE(r.always_empty());
  ASSERT_TRUE(parse_lex_range("[a", "(a", r));
  EXPECT_TRUE(r.always_empty());
  ASSERT_TRUE(parse_lex_range("[b", "[a", r));
  EXPECT_TRUE(r.always_empty());
}

}  // namespace
}  // namespace basalt::storage::types::zset
