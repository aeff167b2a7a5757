// tests/unit/request_parser_test.cpp — the incremental RESP request parser: multibulk and
// inline requests, pipelining, resumption at every byte boundary, the exact Redis 7.0 protocol
// error texts, and a seeded fuzz loop checking that spans never leave the buffer.
#include "node/protocol/request_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using basalt::protocol::ArgSpan;
using basalt::protocol::ParserLimits;
using basalt::protocol::RequestParser;
using Result = RequestParser::Result;
using Args = std::vector<std::string>;

std::string multibulk(const Args& args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

Args args_of(const RequestParser& p, const char* base) {
  Args out;
  for (const ArgSpan& s : p.spans()) out.emplace_back(base + s.offset, s.length);
  return out;
}

struct Parsed {
  std::vector<Args> commands;  // every Complete request, empty ones included
  Result last = Result::Complete;
  std::string error;
  size_t consumed = 0;  // bytes used by the complete requests
};

// Parses `text` as a pipeline, one request after the other, until it runs out or fails. The
// parser sees an exact-size heap copy, so a read past the end is caught by AddressSanitizer.
Parsed parse_all(const std::string& text, ParserLimits limits = {}) {
  std::vector<char> input(text.begin(), text.end());
  Parsed out;
  RequestParser p(limits);
  while (out.consumed < input.size()) {
    p.reset();
    char* base = input.data() + out.consumed;
    out.last = p.parse(base, input.size() - out.consumed);
    if (out.last != Result::Complete) {
      out.error = p.error();
      break;
    }
    out.commands.push_back(args_of(p, base));
    out.consumed += p.consumed();
  }
  return out;
}

// Parses one request that must fail; returns the error text.
std::string error_of(const std::string& text, ParserLimits limits = {}) {
  std::vector<char> input(text.begin(), text.end());
  RequestParser p(limits);
  Result r = p.parse(input.data(), input.size());
  EXPECT_EQ(r, Result::Error) << "input: " << text.substr(0, 80);
  return p.error();
}

// ---------------------------------------------------------------------------------------------
// Multibulk

TEST(RequestParser, MultibulkSingleCommand) {
  std::string in = multibulk({"SET", "key", "value"});
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Complete);
  EXPECT_EQ(p.consumed(), in.size());
  EXPECT_EQ(args_of(p, in.data()), (Args{"SET", "key", "value"}));
  // Spans are relative to the command start: "*3\r\n$3\r\n" is 8 bytes.
  ASSERT_EQ(p.spans().size(), 3u);
  EXPECT_EQ(p.spans()[0].offset, 8u);
  EXPECT_EQ(p.spans()[0].length, 3u);
  EXPECT_EQ(p.bytes_needed(), 0u);
}

TEST(RequestParser, MultibulkIsBinarySafe) {
  std::string value("a\r\nb\0c$*", 8);
  Parsed r = parse_all(multibulk({"SET", "", value}));
  ASSERT_EQ(r.last, Result::Complete);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0], (Args{"SET", "", value}));
}

TEST(RequestParser, MultibulkLeavesFollowingBytesAlone) {
  std::string first = multibulk({"GET", "a"});
  std::string in = first + "*1\r\n$4\r\nPI";
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Complete);
  EXPECT_EQ(p.consumed(), first.size());
}

TEST(RequestParser, EmptyMultibulkIsSkipped) {
  for (std::string in : {"*0\r\n", "*-1\r\n", "*-5\r\n"}) {
    RequestParser p;
    ASSERT_EQ(p.parse(in.data(), in.size()), Result::Complete) << in;
    EXPECT_TRUE(p.spans().empty()) << in;
    EXPECT_EQ(p.consumed(), in.size()) << in;
  }
  Parsed r = parse_all("*0\r\n*-1\r\n" + multibulk({"PING"}));
  ASSERT_EQ(r.last, Result::Complete);
  ASSERT_EQ(r.commands.size(), 3u);
  EXPECT_TRUE(r.commands[0].empty());
  EXPECT_TRUE(r.commands[1].empty());
  EXPECT_EQ(r.commands[2], (Args{"PING"}));
}

TEST(RequestParser, BulkLengthAtTheLimitIsAccepted) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  Parsed r = parse_all(multibulk({"SET", "k", std::string(10, 'x')}), limits);
  ASSERT_EQ(r.last, Result::Complete) << r.error;
  EXPECT_EQ(r.commands[0][2], std::string(10, 'x'));
}

TEST(RequestParser, BytesNeededForAPartialBulk) {
  std::string in = "*1\r\n$10\r\nabc";
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Incomplete);
  EXPECT_EQ(p.bytes_needed(), 4u + 5u + 10u + 2u);
}

// ---------------------------------------------------------------------------------------------
// Inline

TEST(RequestParser, InlineSimple) {
  Parsed r = parse_all("SET key value\r\n");
  ASSERT_EQ(r.last, Result::Complete);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0], (Args{"SET", "key", "value"}));
  EXPECT_EQ(r.consumed, 15u);
}

TEST(RequestParser, InlineBareNewlineAndExtraSpaces) {
  Parsed r = parse_all("  GET \t  k   \nPING\n");
  ASSERT_EQ(r.last, Result::Complete);
  ASSERT_EQ(r.commands.size(), 2u);
  EXPECT_EQ(r.commands[0], (Args{"GET", "k"}));
  EXPECT_EQ(r.commands[1], (Args{"PING"}));
}

TEST(RequestParser, InlineEmptyLineIsAnEmptyRequest) {
  std::string in = "\r\n";
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Complete);
  EXPECT_TRUE(p.spans().empty());
  EXPECT_EQ(p.consumed(), 2u);
}

TEST(RequestParser, InlineQuotes) {
  Parsed r = parse_all("SET \"a b\" 'c d' \"\" ''\r\n");
  ASSERT_EQ(r.last, Result::Complete) << r.error;
  EXPECT_EQ(r.commands[0], (Args{"SET", "a b", "c d", "", ""}));
}

TEST(RequestParser, InlineDoubleQuoteEscapes) {
  Parsed r = parse_all(R"(ECHO "\x41\x62\x7a\n\r\t\b\a\\\"q" "\xZZ" "\x4")"
                       "\r\n");
  ASSERT_EQ(r.last, Result::Complete) << r.error;
  ASSERT_EQ(r.commands[0].size(), 4u);
  EXPECT_EQ(r.commands[0][1], "Abz\n\r\t\b\a\\\"q");
  // Not a valid \xHH: the backslash just escapes the 'x', as sdssplitargs does.
  EXPECT_EQ(r.commands[0][2], "xZZ");
  EXPECT_EQ(r.commands[0][3], "x4");
}

TEST(RequestParser, InlineSingleQuotes) {
  // Only \' is an escape inside single quotes; everything else is literal.
  Parsed r = parse_all(R"(ECHO 'it\'s' 'a\nb' '"')"
                       "\r\n");
  ASSERT_EQ(r.last, Result::Complete) << r.error;
  EXPECT_EQ(r.commands[0], (Args{"ECHO", "it's", "a\\nb", "\""}));
}

TEST(RequestParser, InlineQuotedArgumentsAreRewrittenInPlace) {
  std::string in = "SET k \"\\x41B\"\r\n";
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Complete);
  ASSERT_EQ(p.spans().size(), 3u);
  // The span lies inside the request line, in the caller's buffer.
  EXPECT_LE(p.spans()[2].offset + p.spans()[2].length, p.consumed());
  EXPECT_EQ(std::string(in.data() + p.spans()[2].offset, p.spans()[2].length), "AB");
}

TEST(RequestParser, InlineUnbalancedQuotes) {
  for (std::string in :
       {"SET \"abc\r\n", "SET 'abc\r\n", "SET \"a\"b\r\n", "SET 'a'b\r\n", "ECHO \"abc\\\"\n"}) {
    EXPECT_EQ(error_of(in), "Protocol error: unbalanced quotes in request") << in;
  }
}

TEST(RequestParser, InlineTooBig) {
  std::string in(64 * 1024, 'a');
  RequestParser p;
  EXPECT_EQ(p.parse(in.data(), in.size()), Result::Incomplete);  // exactly the limit: wait
  in.push_back('a');
  EXPECT_EQ(error_of(in), "Protocol error: too big inline request");
  // With a newline inside the limit, the same length is fine.
  std::string ok = "PING\r\n" + std::string(64 * 1024, 'a');
  RequestParser q;
  ASSERT_EQ(q.parse(ok.data(), ok.size()), Result::Complete);
  EXPECT_EQ(q.consumed(), 6u);
}

TEST(RequestParser, InlineLimitIsConfigurable) {
  ParserLimits limits;
  limits.max_inline_len = 16;
  EXPECT_EQ(error_of(std::string(17, 'a'), limits), "Protocol error: too big inline request");
  EXPECT_EQ(error_of("*" + std::string(16, '1'), limits),
            "Protocol error: too big mbulk count string");
}

// ---------------------------------------------------------------------------------------------
// Pipelining

TEST(RequestParser, PipelinedMixedRequests) {
  std::string in = multibulk({"PING"}) + "PING\r\n" + multibulk({"GET", "k"}) + "*0\r\n" +
                   "ECHO x\n" + multibulk({"SET", "a", "b"});
  Parsed r = parse_all(in);
  ASSERT_EQ(r.last, Result::Complete) << r.error;
  EXPECT_EQ(r.consumed, in.size());
  ASSERT_EQ(r.commands.size(), 6u);
  EXPECT_EQ(r.commands[0], (Args{"PING"}));
  EXPECT_EQ(r.commands[1], (Args{"PING"}));
  EXPECT_EQ(r.commands[2], (Args{"GET", "k"}));
  EXPECT_TRUE(r.commands[3].empty());
  EXPECT_EQ(r.commands[4], (Args{"ECHO", "x"}));
  EXPECT_EQ(r.commands[5], (Args{"SET", "a", "b"}));
}

TEST(RequestParser, PipelineEndingInAPartialRequest) {
  std::string in = multibulk({"GET", "a"}) + multibulk({"GET", "bb"});
  in.resize(in.size() - 3);
  Parsed r = parse_all(in);
  EXPECT_EQ(r.last, Result::Incomplete);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.consumed, multibulk({"GET", "a"}).size());
}

// ---------------------------------------------------------------------------------------------
// Resumption: a request split at every byte boundary.

void check_every_split(const std::string& request, const Args& expected) {
  const size_t n = request.size();
  // (1) One parser fed prefixes of increasing length; each prefix lives in a buffer of exactly
  // its size at a new address, so the parser can't rely on bytes or pointers it no longer has.
  RequestParser p;
  for (size_t len = 1; len < n; ++len) {
    std::vector<char> prefix(request.begin(), request.begin() + static_cast<ptrdiff_t>(len));
    ASSERT_EQ(p.parse(prefix.data(), len), Result::Incomplete) << "prefix length " << len;
    if (p.bytes_needed() != 0) {
      EXPECT_GT(p.bytes_needed(), len);
    }
  }
  std::vector<char> whole(request.begin(), request.end());
  ASSERT_EQ(p.parse(whole.data(), n), Result::Complete);
  EXPECT_EQ(p.consumed(), n);
  EXPECT_EQ(args_of(p, whole.data()), expected);

  // (2) A fresh parser for each split point: the first `k` bytes, then all of them plus the
  // start of the next request (which must not be consumed).
  std::string padded = request + "*1\r\n$4\r\nPING\r\n";
  for (size_t k = 0; k < n; ++k) {
    RequestParser q;
    std::string buf = padded;
    if (k > 0) {
      ASSERT_EQ(q.parse(buf.data(), k), Result::Incomplete) << "split at " << k;
    }
    ASSERT_EQ(q.parse(buf.data(), buf.size()), Result::Complete) << "split at " << k;
    EXPECT_EQ(q.consumed(), n) << "split at " << k;
    EXPECT_EQ(args_of(q, buf.data()), expected) << "split at " << k;
    for (const ArgSpan& s : q.spans()) EXPECT_LE(s.offset + s.length, n);
  }
}

TEST(RequestParser, MultibulkSplitAtEveryByte) {
  check_every_split(multibulk({"SET", "key", "a\r\nvalue"}), {"SET", "key", "a\r\nvalue"});
  check_every_split(multibulk({"MSET", "", std::string(300, 'v'), "k2", "x"}),
                    {"MSET", "", std::string(300, 'v'), "k2", "x"});
  Args many;
  for (int i = 0; i < 12; ++i) many.push_back("arg" + std::to_string(i));
  check_every_split(multibulk(many), many);
}

TEST(RequestParser, InlineSplitAtEveryByte) {
  check_every_split("SET key \"a b\" 'c'\r\n", {"SET", "key", "a b", "c"});
  check_every_split("PING\n", {"PING"});
}

TEST(RequestParser, EmptyMultibulkSplitAtEveryByte) {
  check_every_split("*0\r\n", {});
  check_every_split("*-1\r\n", {});
}

// ---------------------------------------------------------------------------------------------
// Protocol errors, worded exactly as Redis 7.0 words them.

TEST(RequestParser, InvalidMultibulkLength) {
  const std::string msg = "Protocol error: invalid multibulk length";
  EXPECT_EQ(error_of("*abc\r\n"), msg);
  EXPECT_EQ(error_of("*99999999999\r\n"), msg);  // > INT_MAX
  EXPECT_EQ(error_of("*2147483648\r\n"), msg);
  EXPECT_EQ(error_of("*\r\n"), msg);
  EXPECT_EQ(error_of("*+1\r\n"), msg);
  EXPECT_EQ(error_of("*01\r\n"), msg);
  EXPECT_EQ(error_of("*1 \r\n"), msg);
}

TEST(RequestParser, InvalidBulkLength) {
  const std::string msg = "Protocol error: invalid bulk length";
  EXPECT_EQ(error_of("*1\r\n$-5\r\n"), msg);
  EXPECT_EQ(error_of("*1\r\n$-1\r\n"), msg);
  EXPECT_EQ(error_of("*1\r\n$abc\r\n"), msg);
  EXPECT_EQ(error_of("*1\r\n$\r\n"), msg);
  EXPECT_EQ(error_of("*1\r\n$99999999999999999999999\r\n"), msg);
  ParserLimits limits;
  limits.max_bulk_len = 10;
  EXPECT_EQ(error_of("*1\r\n$11\r\n", limits), msg);
  // The default limit is proto-max-bulk-len, 512 MB.
  EXPECT_EQ(error_of("*1\r\n$" + std::to_string((512ull << 20) + 1) + "\r\n"), msg);
  // The second argument is checked as carefully as the first.
  EXPECT_EQ(error_of("*2\r\n$3\r\nGET\r\n$x\r\n"), msg);
}

TEST(RequestParser, CountsArePlainDecimal) {
  // Short counts are read on a fast path; its answers must be parse_i64's.
  Parsed ok = parse_all("*2\r\n$0\r\n\r\n$10\r\n0123456789\r\n*1\r\n$123456789\r\n");
  ASSERT_EQ(ok.commands.size(), 1u);
  EXPECT_EQ(ok.commands[0], (Args{"", "0123456789"}));
  EXPECT_EQ(ok.last, Result::Incomplete);  // nine digits: a bulk of 123456789 bytes, pending
  const std::string bulk = "Protocol error: invalid bulk length";
  EXPECT_EQ(error_of("*1\r\n$00\r\n"), bulk);
  EXPECT_EQ(error_of("*1\r\n$03\r\n"), bulk);
  EXPECT_EQ(error_of("*1\r\n$1a\r\n"), bulk);
  EXPECT_EQ(error_of("*1\r\n$+3\r\n"), bulk);
  EXPECT_EQ(error_of("*1\r\n$3 \r\n"), bulk);
  EXPECT_EQ(error_of("*1\r\n$/\r\n"), bulk);  // the byte before '0'
  EXPECT_EQ(error_of("*1\r\n$:\r\n"), bulk);  // the byte after '9'
  EXPECT_EQ(error_of("*0001\r\n"), "Protocol error: invalid multibulk length");
}

TEST(RequestParser, ExpectedDollar) {
  EXPECT_EQ(error_of("*1\r\nx3\r\n"), "Protocol error: expected '$', got 'x'");
  EXPECT_EQ(error_of("*2\r\n$3\r\nGET\r\n:1\r\n"), "Protocol error: expected '$', got ':'");
}

TEST(RequestParser, TooBigCountStrings) {
  // The limit counts every unparsed byte, as Redis's sdslen(querybuf) - qb_pos does.
  std::string mbulk = "*" + std::string(64 * 1024 - 1, '1');
  RequestParser p;
  EXPECT_EQ(p.parse(mbulk.data(), mbulk.size()), Result::Incomplete);  // exactly at the limit
  EXPECT_EQ(error_of(mbulk + "1"), "Protocol error: too big mbulk count string");

  std::string bulk = "*1\r\n$" + std::string(64 * 1024 - 1, '1');
  RequestParser q;
  EXPECT_EQ(q.parse(bulk.data(), bulk.size()), Result::Incomplete);
  EXPECT_EQ(error_of(bulk + "1"), "Protocol error: too big bulk count string");
}

TEST(RequestParser, ErrorAfterResumption) {
  std::string in = "*2\r\n$3\r\nGET\r\n?1\r\n";
  RequestParser p;
  ASSERT_EQ(p.parse(in.data(), 14), Result::Incomplete);
  ASSERT_EQ(p.parse(in.data(), in.size()), Result::Error);
  EXPECT_EQ(p.error(), "Protocol error: expected '$', got '?'");
}

TEST(RequestParser, ResetAfterAnErrorParsesAgain) {
  std::string bad = "*x\r\n";
  RequestParser p;
  ASSERT_EQ(p.parse(bad.data(), bad.size()), Result::Error);
  p.reset();
  std::string good = multibulk({"PING"});
  ASSERT_EQ(p.parse(good.data(), good.size()), Result::Complete);
  EXPECT_EQ(args_of(p, good.data()), (Args{"PING"}));
}

// ---------------------------------------------------------------------------------------------
// Fuzzing (seeded, bounded).

// Feeds `buf` to one parser in growing chunks, as a connection would, checking the invariants
// after every call. Each call sees an exact-size copy of the bytes received so far (at a new
// address: spans are relative), so out-of-bounds reads are caught by AddressSanitizer.
// Returns the requests parsed.
std::vector<Args> feed_in_chunks(const std::string& buf, std::mt19937& rng) {
  std::vector<Args> out;
  RequestParser p;
  size_t start = 0, avail = 0;
  std::uniform_int_distribution<size_t> chunk(1, 24);
  while (start < buf.size()) {
    avail = std::min(buf.size() - start, avail + chunk(rng));
    std::vector<char> received(buf.begin() + static_cast<ptrdiff_t>(start),
                               buf.begin() + static_cast<ptrdiff_t>(start + avail));
    Result r = p.parse(received.data(), avail);
    if (r == Result::Error) {
      EXPECT_EQ(p.error().rfind("Protocol error: ", 0), 0u) << p.error();
      return out;
    }
    if (r == Result::Incomplete) {
      if (p.bytes_needed() != 0) {
        EXPECT_GT(p.bytes_needed(), avail);
      }
      if (avail == buf.size() - start) return out;  // waits for bytes that never come
      continue;
    }
    EXPECT_GT(p.consumed(), 0u);
    EXPECT_LE(p.consumed(), avail);
    Args args;
    for (const ArgSpan& s : p.spans()) {
      EXPECT_LE(s.offset, p.consumed());
      EXPECT_LE(s.length, p.consumed() - s.offset);
      if (s.offset + s.length > avail) return out;  // stop before touching bytes out of range
      args.emplace_back(received.data() + s.offset, s.length);
    }
    out.push_back(std::move(args));
    start += p.consumed();
    avail -= p.consumed();
    p.reset();
  }
  return out;
}

TEST(RequestParser, FuzzRandomBuffers) {
  std::mt19937 rng(20240611);
  using namespace std::string_literals;
  const std::string alphabet = "*$\r\n\r\n0123456789-+ \t\"'\\xabcAZ\0:"s;
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<size_t> length(0, 96);
  ParserLimits limits;
  limits.max_bulk_len = 64;
  limits.max_inline_len = 48;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string buf(length(rng), '\0');
    for (auto& c : buf) c = alphabet[pick(rng)];
    if (iter % 3 == 0 && !buf.empty()) buf[0] = '*';
    // Whole buffer at once, as a pipeline.
    Parsed whole = parse_all(buf, iter % 2 ? limits : ParserLimits{});
    EXPECT_LE(whole.consumed, buf.size());
    // The same bytes in chunks, resuming.
    feed_in_chunks(buf, rng);
    if (HasFailure()) FAIL() << "iteration " << iter;
  }
}

TEST(RequestParser, FuzzValidPipelinesInRandomChunks) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> nargs(1, 5), arglen(0, 40), byte(0, 255), coin(0, 3);
  std::uniform_int_distribution<int> word(0, 25);
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<Args> expected;
    std::string buf;
    int commands = 1 + iter % 6;
    for (int c = 0; c < commands; ++c) {
      Args args;
      bool inline_form = coin(rng) == 0;
      int n = nargs(rng);
      for (int a = 0; a < n; ++a) {
        std::string arg(static_cast<size_t>(arglen(rng)) + (inline_form ? 1 : 0), '\0');
        for (auto& ch : arg)
          ch = inline_form ? static_cast<char>('a' + word(rng)) : static_cast<char>(byte(rng));
        args.push_back(std::move(arg));
      }
      if (inline_form) {
        for (size_t a = 0; a < args.size(); ++a) buf += (a ? " " : "") + args[a];
        buf += "\r\n";
      } else {
        buf += multibulk(args);
      }
      expected.push_back(std::move(args));
    }
    // Mutate a few of the buffers: the parser may then fail or stop, but must stay in bounds.
    bool mutated = iter % 4 == 3;
    if (mutated) {
      std::uniform_int_distribution<size_t> where(0, buf.size() - 1);
      for (int m = 0; m < 3; ++m) buf[where(rng)] = static_cast<char>(byte(rng));
    }
    std::vector<Args> got = feed_in_chunks(buf, rng);
    if (!mutated) {
      EXPECT_EQ(got, expected) << "iteration " << iter;
    }
    if (HasFailure()) FAIL() << "iteration " << iter;
  }
}

}  // namespace

// A client that must still authenticate: Redis 7's limits (10 arguments, 16 KB each), checked
// as soon as the counts arrive, before any argument bytes.
TEST(RequestParser, UnauthenticatedLimits) {
  ParserLimits unauth;
  unauth.unauthenticated = true;
  EXPECT_EQ(error_of("*11\r\n", unauth), "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(error_of("*1\r\n$16385\r\n", unauth), "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(error_of("*1\r\n$536870000\r\n", unauth),
            "Protocol error: unauthenticated bulk length");
  std::string ten = "*10\r\n";
  for (int i = 0; i < 10; ++i) ten += "$1\r\na\r\n";
  EXPECT_EQ(parse_all(ten, unauth).last, Result::Complete);
  const std::string big = "*1\r\n$16384\r\n" + std::string(16384, 'x') + "\r\n";
  EXPECT_EQ(parse_all(big, unauth).last, Result::Complete);
  // Without the flag the same requests parse.
  std::string eleven = "*11\r\n";
  for (int i = 0; i < 11; ++i) eleven += "$1\r\na\r\n";
  EXPECT_EQ(parse_all(eleven).last, Result::Complete);
}
