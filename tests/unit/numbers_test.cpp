// tests/unit/numbers_test.cpp — strict number parsing and Redis-style formatting: parse_i64
// against Redis's string2ll, parse_long_double / parse_double against string2ld / string2d,
// and format_long_double_human against the values Redis 7.0's INCRBYFLOAT returns (checked by
// hand against Debian's redis-server 7.0).
#include "node/protocol/numbers.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using basalt::protocol::format_double;
using basalt::protocol::format_long_double_human;
using basalt::protocol::parse_double;
using basalt::protocol::parse_i64;
using basalt::protocol::parse_long_double;

bool i64_ok(std::string_view s, int64_t expected) {
  int64_t v = 12345;
  return parse_i64(s, v) && v == expected;
}

bool i64_rejected(std::string_view s) {
  int64_t v = 12345;
  bool ok = parse_i64(s, v);
  return !ok && v == 12345;  // and the output is left alone
}

// ---------------------------------------------------------------------------------------------
// parse_i64

TEST(ParseI64, AcceptsCanonicalIntegers) {
  EXPECT_TRUE(i64_ok("0", 0));
  EXPECT_TRUE(i64_ok("1", 1));
  EXPECT_TRUE(i64_ok("-1", -1));
  EXPECT_TRUE(i64_ok("10", 10));
  EXPECT_TRUE(i64_ok("1234567890", 1234567890));
  EXPECT_TRUE(i64_ok("-987654321", -987654321));
}

TEST(ParseI64, Boundaries) {
  EXPECT_TRUE(i64_ok("9223372036854775807", std::numeric_limits<int64_t>::max()));
  EXPECT_TRUE(i64_ok("-9223372036854775808", std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(i64_rejected("9223372036854775808"));
  EXPECT_TRUE(i64_rejected("-9223372036854775809"));
  EXPECT_TRUE(i64_rejected("18446744073709551615"));  // UINT64_MAX
  EXPECT_TRUE(i64_rejected("18446744073709551616"));  // UINT64_MAX + 1
  EXPECT_TRUE(i64_rejected("-18446744073709551616"));
  EXPECT_TRUE(i64_rejected("99999999999999999999"));   // 20 digits
  EXPECT_TRUE(i64_rejected("100000000000000000000"));  // 21 digits
  EXPECT_TRUE(i64_rejected("-99999999999999999999"));
}

TEST(ParseI64, RejectsWhatString2llRejects) {
  for (const char* s : {"",   "-",  "+",   "+1",  "01",   "00",  "-0", "-01", " 1",  "1 ", " ",
                        "1a", "a1", "1.0", "1e3", "0x10", "--1", "1-", "\t1", "1\n", "१"}) {
    EXPECT_TRUE(i64_rejected(s)) << '"' << s << '"';
  }
  EXPECT_TRUE(i64_rejected(std::string_view("1\0", 2)));
  EXPECT_TRUE(
      i64_rejected(std::string_view("\0"
                                    "1",
                                    2)));
}

TEST(ParseI64, UsesOnlyTheViewNotTheBytesAfterIt) {
  std::string s = "12345";
  int64_t v = 0;
  ASSERT_TRUE(parse_i64(std::string_view(s).substr(0, 3), v));
  EXPECT_EQ(v, 123);
}

// ---------------------------------------------------------------------------------------------
// parse_long_double / parse_double

TEST(ParseLongDouble, AcceptsWhatString2ldAccepts) {
  long double v = 0;
  ASSERT_TRUE(parse_long_double("10.5", v));
  EXPECT_EQ(v, 10.5L);
  ASSERT_TRUE(parse_long_double("-3.0e3", v));
  EXPECT_EQ(v, -3000.0L);
  ASSERT_TRUE(parse_long_double("+1.5", v));  // strtold's sign: Redis accepts it too
  EXPECT_EQ(v, 1.5L);
  ASSERT_TRUE(parse_long_double(".5", v));
  EXPECT_EQ(v, 0.5L);
  ASSERT_TRUE(parse_long_double("5.", v));
  EXPECT_EQ(v, 5.0L);
  ASSERT_TRUE(parse_long_double("0x10", v));
  EXPECT_EQ(v, 16.0L);
  ASSERT_TRUE(parse_long_double("7", v));
  EXPECT_EQ(v, 7.0L);
  ASSERT_TRUE(parse_long_double("inf", v));  // INCRBYFLOAT then refuses the result
  EXPECT_TRUE(std::isinf(v));
}

TEST(ParseLongDouble, RejectsWhatString2ldRejects) {
  long double v = 42;
  for (const char* s : {"", " 1", "1 ", "\t1", "abc", "1.0x", "nan", "-nan", "1e5000", "-1e5000",
                        "1e-5000", "1,5", "--1"}) {
    EXPECT_FALSE(parse_long_double(s, v)) << '"' << s << '"';
  }
  EXPECT_FALSE(parse_long_double(std::string_view("1\0", 2), v));
  EXPECT_EQ(v, 42);
}

// Redis's string2ld refuses an underflow only when it gives zero: a subnormal long double is a
// valid input (INCRBYFLOAT k 1e-4940 on Redis 7.0 replies "0").
TEST(ParseLongDouble, AcceptsSubnormals) {
  long double v = 0;
  ASSERT_TRUE(parse_long_double("1e-4940", v));
  EXPECT_GT(v, 0.0L);
  EXPECT_EQ(format_long_double_human(v), "0");
}

// Redis copies the text into a MAX_LONG_DOUBLE_CHARS (5 KiB) buffer: up to 5119 characters
// are parsed, 5120 and more are refused.
TEST(ParseLongDouble, LengthLimitIsRedis) {
  long double v = 0;
  std::string s = "1." + std::string(5117, '0');
  ASSERT_EQ(s.size(), 5119u);
  ASSERT_TRUE(parse_long_double(s, v));
  EXPECT_EQ(v, 1.0L);
  s.push_back('0');
  EXPECT_FALSE(parse_long_double(s, v));
}

TEST(ParseDouble, AcceptsAndRejectsLikeString2d) {
  double v = 0;
  ASSERT_TRUE(parse_double("1.5", v));
  EXPECT_EQ(v, 1.5);
  ASSERT_TRUE(parse_double("-inf", v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(parse_double("1e-310", v));  // subnormal double: fine
  EXPECT_GT(v, 0.0);
  for (const char* s : {"", " 1", "1 ", "nan", "1e400", "-1e400", "1e-400", "x"}) {
    EXPECT_FALSE(parse_double(s, v)) << '"' << s << '"';
  }
}

// ---------------------------------------------------------------------------------------------
// format_long_double_human (INCRBYFLOAT replies)

// What INCRBYFLOAT returns when the key holds `current` and the increment is `incr`.
std::string incrbyfloat(const char* current, const char* incr) {
  long double a = 0, b = 0;
  EXPECT_TRUE(parse_long_double(current, a)) << current;
  EXPECT_TRUE(parse_long_double(incr, b)) << incr;
  return format_long_double_human(a + b);
}

TEST(FormatLongDoubleHuman, MatchesRedisIncrbyfloat) {
  // Each expectation is what redis-server 7.0 replied to SET k <current>; INCRBYFLOAT k <incr>.
  EXPECT_EQ(incrbyfloat("10.5", "0.1"), "10.6");
  EXPECT_EQ(incrbyfloat("0", "3.0e3"), "3000");
  EXPECT_EQ(incrbyfloat("5.0e3", "2.0e2"), "5200");
  EXPECT_EQ(incrbyfloat("5.0e3", "1"), "5001");
  EXPECT_EQ(incrbyfloat("5", "5.0e3"), "5005");
  EXPECT_EQ(incrbyfloat("5005", "-5005.0000000000000001"), "0");
  EXPECT_EQ(incrbyfloat("1.0e3", "0"), "1000");
  EXPECT_EQ(incrbyfloat("0", "1.1"), "1.1");
  EXPECT_EQ(incrbyfloat("0.1", "0.2"), "0.3");
  EXPECT_EQ(incrbyfloat("0", "-0"), "0");
  EXPECT_EQ(incrbyfloat("-0.0", "0"), "0");
  EXPECT_EQ(incrbyfloat("-1", "1"), "0");
  EXPECT_EQ(incrbyfloat("1", "-1.5"), "-0.5");
  EXPECT_EQ(incrbyfloat("1", "2"), "3");
  EXPECT_EQ(incrbyfloat("3", "0.3333333333333333"), "3.3333333333333333");
  EXPECT_EQ(incrbyfloat("0", "1e-20"), "0");
  EXPECT_EQ(incrbyfloat("0", "1.5e-7"), "0.00000015");
  EXPECT_EQ(incrbyfloat("1", "1e-18"), "1");
  EXPECT_EQ(incrbyfloat("1", "0.00000000000000001"), "1.00000000000000001");
  EXPECT_EQ(incrbyfloat("2.5", "0.00000000000000004"), "2.50000000000000004");
  EXPECT_EQ(incrbyfloat("0", "-1e17"), "-100000000000000000");
  EXPECT_EQ(incrbyfloat("0", "123456789.123456789"), "123456789.12345678899873747");
  EXPECT_EQ(incrbyfloat("0", "1e30"), "1000000000000000000024696061952");
  EXPECT_EQ(incrbyfloat("0", "0x10"), "16");
}

TEST(FormatLongDoubleHuman, HugeValues) {
  // Redis prints every digit of the integral part (4000 characters for 1e4000).
  std::string s = incrbyfloat("1e4000", "0");
  EXPECT_EQ(s.size(), 4000u);
  EXPECT_EQ(s.rfind("99999999999999999999654638730996237849", 0), 0u);
  EXPECT_EQ(s.substr(s.size() - 29), "72729951206648276349901340672");
  std::string max = format_long_double_human(LDBL_MAX);
  EXPECT_EQ(max.size(), 4933u);
  EXPECT_EQ(max.rfind("1189731495357231765021263853030970205169", 0), 0u);
}

TEST(FormatLongDoubleHuman, Infinity) {
  EXPECT_EQ(format_long_double_human(std::numeric_limits<long double>::infinity()), "inf");
  EXPECT_EQ(format_long_double_human(-std::numeric_limits<long double>::infinity()), "-inf");
}

// Not every decimal survives %.17Lf (Redis 7.0 itself answers INCRBYFLOAT k 0 on 12345.678
// with "12345.67799999999999994"), but short ones like these do.
TEST(FormatLongDoubleHuman, RoundTripsShortDecimals) {
  for (const char* s : {"10.6", "3000", "0.3", "-0.5", "1.00000000000000001", "1234.501"}) {
    long double v = 0;
    ASSERT_TRUE(parse_long_double(s, v));
    EXPECT_EQ(format_long_double_human(v), s);
  }
  long double v = 0;
  ASSERT_TRUE(parse_long_double("12345.678", v));
  EXPECT_EQ(format_long_double_human(v), "12345.67799999999999994");
}

// ---------------------------------------------------------------------------------------------
// format_double (Redis 7.0 addReplyDouble: %.17g)

TEST(FormatDouble, SeventeenSignificantDigits) {
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(0.1), "0.10000000000000001");
  EXPECT_EQ(format_double(3), "3");
  EXPECT_EQ(format_double(-2.25), "-2.25");
  EXPECT_EQ(format_double(1e20), "1e+20");
  EXPECT_EQ(format_double(0), "0");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_double(-0.0), "-0");
  EXPECT_EQ(format_double(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(format_double(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(format_double(-123456789.0), "-123456789");
  EXPECT_EQ(format_double(1e16), "10000000000000000");
  EXPECT_EQ(format_double(1e17), "1e+17");
}

// Every shape of double prints as snprintf's %.17g does (the fast paths included): whole
// numbers on both sides of 2^53, fractions, the smallest and largest, subnormals, random bits.
TEST(FormatDouble, SameAsPrintfForEveryShape) {
  auto printf_17g = [](double v) {
    char buf[128];
    int len = std::snprintf(buf, sizeof(buf), "%.17g", v);
    return std::string(buf, static_cast<size_t>(len));
  };
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.5,
                                1e-5,
                                123456.789,
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::epsilon()};
  for (double p = 1; p < 1e300; p *= 7.3) values.insert(values.end(), {p, -p, p + 0.5, 1 / p});
  for (int64_t w = (int64_t{1} << 53) - 3; w < (int64_t{1} << 53) + 3; ++w)
    values.insert(values.end(), {static_cast<double>(w), -static_cast<double>(w)});
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) values.push_back(v);
    values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000));
  }
  for (double v : values) ASSERT_EQ(format_double(v), printf_17g(v)) << v;
}

}  // namespace
