// tests/unit/resp_reader_test.cpp — protocol::RespReader, the read side of every RESP
// connection: commands split across reads come out whole, the buffer grows only with the bytes
// that arrive (a peer announcing a huge argument gets no huge buffer), it gives the memory of a
// huge command back, refuses to pass a limit, and rewinds to a mark.
#include "node/protocol/resp_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using basalt::protocol::RespReader;
using Result = RespReader::Result;

// Copies `bytes` into the reader as reads of at most `piece` bytes would, making room first.
bool feed(RespReader& reader, std::string_view bytes, size_t piece = SIZE_MAX,
          size_t max_bytes = SIZE_MAX) {
  while (!bytes.empty()) {
    if (!reader.make_room(max_bytes)) return false;
    auto space = reader.space();
    size_t n = std::min({space.size(), piece, bytes.size()});
    std::memcpy(space.data(), bytes.data(), n);
    reader.commit(n);
    bytes.remove_prefix(n);
  }
  return true;
}

std::vector<std::string> args_of(const RespReader& reader) {
  return {reader.args().begin(), reader.args().end()};
}

TEST(RespReader, CommandsSplitAcrossReadsComeOutWhole) {
  RespReader reader(64);
  std::string stream =
      "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
  std::vector<std::vector<std::string>> got;
  // One byte per read: every command resumes where the last read stopped.
  for (char ch : stream) {
    ASSERT_TRUE(feed(reader, std::string_view(&ch, 1)));
    while (reader.next() == Result::Complete) got.push_back(args_of(reader));
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"GET", "key"}));
  EXPECT_EQ(got[1], (std::vector<std::string>{"PING"}));
  EXPECT_EQ(got[2], (std::vector<std::string>{"SET", "k", "value"}));
  EXPECT_EQ(reader.pending(), 0u);
}

TEST(RespReader, RawIsTheCommandsExactBytes) {
  RespReader reader;
  std::string one = "*1\r\n$4\r\nPING\r\n";
  ASSERT_TRUE(feed(reader, one + one));
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(reader.raw(), one);
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(reader.raw(), one);
  EXPECT_EQ(reader.next(), Result::Incomplete);
}

TEST(RespReader, AnAnnouncedHugeArgumentDoesNotGrowTheBuffer) {
  RespReader reader(16 * 1024);
  // 21 bytes announce half a gigabyte; then the peer trickles a few bytes per read.
  ASSERT_TRUE(feed(reader, "*1\r\n$536870000\r\n"));
  EXPECT_EQ(reader.next(), Result::Incomplete);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(feed(reader, "xxxx"));
    EXPECT_EQ(reader.next(), Result::Incomplete);
  }
  EXPECT_LE(reader.capacity(), 32u * 1024) << "the buffer grew beyond what arrived";
}

TEST(RespReader, BufferGrowsWithTheDataOfABigArgumentAndShrinksAfter) {
  RespReader reader(16 * 1024);
  std::string value(3 << 20, 'v');
  std::string cmd =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  ASSERT_TRUE(feed(reader, cmd, 16 * 1024));
  ASSERT_EQ(reader.next(), Result::Complete);
  ASSERT_EQ(reader.args().size(), 3u);
  EXPECT_EQ(reader.args()[2], value);
  EXPECT_LE(reader.capacity(), 2 * cmd.size()) << "grew past twice what arrived";
  // Once consumed, the next read starts from a buffer of the resting size again.
  ASSERT_TRUE(reader.make_room());
  EXPECT_EQ(reader.capacity(), 16u * 1024);
}

TEST(RespReader, MakeRoomRefusesToPassTheLimit) {
  RespReader reader(1024);
  std::string value(64 * 1024, 'v');
  std::string cmd = "*1\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  EXPECT_FALSE(feed(reader, cmd, 1024, 8 * 1024));
  EXPECT_LE(reader.capacity(), 8u * 1024);
}

TEST(RespReader, RewindGoesBackToAMark) {
  RespReader reader;
  ASSERT_TRUE(feed(reader, "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nx\r\n"));
  size_t mark = reader.mark();
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(reader.args()[0], "MULTI");
  ASSERT_EQ(reader.next(), Result::Complete);
  reader.rewind(mark);
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(reader.args()[0], "MULTI");
}

TEST(RespReader, ErrorsAreWordedAsRedis) {
  RespReader reader;
  ASSERT_TRUE(feed(reader, "*1\r\n$abc\r\n"));
  EXPECT_EQ(reader.next(), Result::Error);
  EXPECT_EQ(reader.error(), "Protocol error: invalid bulk length");
}

}  // namespace

// Found by tests/fuzz/repl_stream_fuzz.cpp: an inline command used to be unescaped inside the
// buffer, so raw() was no longer the bytes sent (a replica logs raw() at the master's offsets)
// and a rewind (the replica's unfinished MULTI) re-parsed mangled bytes into other arguments.
TEST(RespReader, InlineCommandKeepsItsRawBytesAndReparsesAfterRewind) {
  RespReader reader(64);
  const std::string line = "set \"a\\x41\" 'b c'\r\n";
  ASSERT_TRUE(feed(reader, line + "*1\r\n$4\r\nPING\r\n"));
  const size_t mark = reader.mark();
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(args_of(reader), (std::vector<std::string>{"set", "aA", "b c"}));
  EXPECT_EQ(reader.raw(), line);
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(args_of(reader), (std::vector<std::string>{"PING"}));
  reader.rewind(mark);
  ASSERT_EQ(reader.next(), Result::Complete);
  EXPECT_EQ(args_of(reader), (std::vector<std::string>{"set", "aA", "b c"}));
  EXPECT_EQ(reader.raw(), line);
}

// Views of the inline commands parsed from one read stay valid together (a connection runs
// every command of a read as one batch).
TEST(RespReader, ArgumentsOfSeveralInlineCommandsStayValidUntilMakeRoom) {
  RespReader reader(64);
  std::string many;
  // Short lines: their copies fit in std::string's small buffer, which a growing vector of
  // strings would move.
  for (int i = 0; i < 40; ++i) many += "echo \"v" + std::to_string(i) + "\"\n";
  ASSERT_TRUE(feed(reader, many));
  std::vector<std::string_view> first_args;
  while (reader.next() == Result::Complete) first_args.push_back(reader.args()[1]);
  ASSERT_EQ(first_args.size(), 40u);
  for (size_t i = 0; i < first_args.size(); ++i) EXPECT_EQ(first_args[i], "v" + std::to_string(i));
}
