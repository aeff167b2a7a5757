// tests/unit/reply_test.cpp — RESP2 reply encoding (ReplyBuilder) and the multibulk encoding
// used for the replication stream (append_multibulk).
#include "node/protocol/reply.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using basalt::protocol::append_multibulk;
using basalt::protocol::ReplyBuilder;
using namespace std::string_literals;

TEST(ReplyBuilder, SimpleAndOk) {
  std::string out;
  ReplyBuilder r(out);
  r.simple("PONG");
  r.ok();
  r.simple("");
  EXPECT_EQ(out, "+PONG\r\n+OK\r\n+\r\n");
}

TEST(ReplyBuilder, Error) {
  std::string out;
  ReplyBuilder r(out);
  r.error("ERR syntax error");
  r.error("WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(out,
            "-ERR syntax error\r\n"
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST(ReplyBuilder, CrLfInStatusAndErrorLinesBecomeSpaces) {
  std::string out;
  ReplyBuilder r(out);
  r.error("ERR bad\r\nthing\n\r");
  r.simple("a\nb\rc");
  EXPECT_EQ(out, "-ERR bad  thing  \r\n+a b c\r\n");
}

TEST(ReplyBuilder, ReplacementOnlyTouchesTheNewLine) {
  std::string out = "$5\r\na\r\nb\r\n";  // earlier bytes of the buffer keep their CR/LF
  ReplyBuilder r(out);
  r.error("ERR x\ny");
  EXPECT_EQ(out, "$5\r\na\r\nb\r\n-ERR x y\r\n");
}

TEST(ReplyBuilder, Integers) {
  std::string out;
  ReplyBuilder r(out);
  r.integer(0);
  r.integer(42);
  r.integer(-7);
  r.integer(std::numeric_limits<int64_t>::max());
  r.integer(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, ":0\r\n:42\r\n:-7\r\n:9223372036854775807\r\n:-9223372036854775808\r\n");
}

TEST(ReplyBuilder, Bulk) {
  std::string out;
  ReplyBuilder r(out);
  r.bulk("hello");
  r.bulk("");
  r.bulk(std::string_view("a\r\n\0b", 5));  // binary safe: nothing replaced
  EXPECT_EQ(out, "$5\r\nhello\r\n$0\r\n\r\n$5\r\na\r\n\0b\r\n"s);
}

// Small bulks are written in one step, larger ones appended: both encode alike at the seam.
TEST(ReplyBuilder, BulksAroundTheSmallSizeEncodeAlike) {
  for (size_t size : {9u, 10u, 99u, 100u, 255u, 256u, 257u, 1000u}) {
    std::string out = "prefix";
    ReplyBuilder r(out);
    const std::string value(size, 'v');
    r.bulk(value);
    r.bulk("z");
    EXPECT_EQ(out, "prefix$" + std::to_string(size) + "\r\n" + value + "\r\n$1\r\nz\r\n") << size;
  }
}

TEST(ReplyBuilder, LargeBulkHeader) {
  std::string out;
  ReplyBuilder r(out);
  std::string big(100000, 'x');
  r.bulk(big);
  EXPECT_EQ(out.substr(0, 10), "$100000\r\nx");
  EXPECT_EQ(out.size(), 9u + big.size() + 2u);
}

TEST(ReplyBuilder, NullsAndArrays) {
  std::string out;
  ReplyBuilder r(out);
  r.null_bulk();
  r.null_array();
  r.array(0);
  r.array(3);
  r.array(12345678901ull);
  EXPECT_EQ(out, "$-1\r\n*-1\r\n*0\r\n*3\r\n*12345678901\r\n");
}

TEST(ReplyBuilder, NestedArray) {
  std::string out;
  ReplyBuilder r(out);
  r.array(2);
  r.bulk("a");
  r.array(2);
  r.integer(1);
  r.null_bulk();
  EXPECT_EQ(out, "*2\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n");
}

TEST(ReplyBuilder, DoubleBulk) {
  std::string out;
  ReplyBuilder r(out);
  r.double_bulk(1.5);
  r.double_bulk(0.1);
  EXPECT_EQ(out, "$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n");
}

TEST(ReplyBuilder, RawSizeAndBuffer) {
  std::string out = "prefix";
  ReplyBuilder r(out);
  EXPECT_EQ(r.size(), 6u);
  r.raw("+QUEUED\r\n");
  EXPECT_EQ(r.size(), 15u);
  EXPECT_EQ(&r.buffer(), &out);
  EXPECT_EQ(out, "prefix+QUEUED\r\n");
}

TEST(AppendMultibulk, StringViews) {
  std::string out;
  std::string_view args[] = {"SET", "key", "value"};
  append_multibulk(out, args);
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
}

TEST(AppendMultibulk, StringsEmptyArgsAndBinary) {
  std::string out = "keep";
  std::vector<std::string> args = {"DEL", "", std::string("a\0\r\n", 4)};
  append_multibulk(out, args);
  EXPECT_EQ(out, "keep*3\r\n$3\r\nDEL\r\n$0\r\n\r\n$4\r\na\0\r\n\r\n"s);
}

TEST(AppendMultibulk, EmptyRange) {
  std::string out;
  std::vector<std::string_view> none;
  append_multibulk(out, none);
  EXPECT_EQ(out, "*0\r\n");
}

TEST(AppendMultibulk, StdArray) {
  std::string out;
  std::array<std::string, 2> args = {"SELECT", "10"};
  append_multibulk(out, args);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$2\r\n10\r\n");
}

}  // namespace
