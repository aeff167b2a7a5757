// tests/unit/snapshot_format_test.cpp — the full-sync snapshot format: preambles, frame
// headers, entries round-tripping through payloads, large values cut into continuation
// frames and reassembled, and truncated, corrupt or oversized input refused with a reason.
#include "node/replication/snapshot_format.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using namespace basalt::replication;

struct Item {
  Family family;
  std::string key;
  std::string value;
  bool operator==(const Item&) const = default;
};

// Cuts `items` into payloads of at most `max` bytes, as the master does.
std::vector<std::string> cut(const std::vector<Item>& items, size_t max) {
  std::vector<std::string> payloads(1);
  EntryWriter writer(max);
  for (const auto& item : items) {
    writer.begin(item.family, item.key, item.value);
    while (!writer.write_into(payloads.back())) payloads.emplace_back();
  }
  if (payloads.back().empty()) payloads.pop_back();
  return payloads;
}

// Feeds payloads to a reader as the replica does; returns the entries and the error, if any.
std::pair<std::vector<Item>, std::string> reassemble(const std::vector<std::string>& payloads,
                                                     uint64_t max_part = 1ull << 30) {
  EntryReader reader(max_part, max_part);
  std::vector<Item> out;
  std::string error;
  for (const auto& p : payloads) {
    reader.feed(p);
    Entry e;
    for (;;) {
      auto r = reader.next(e, error);
      if (r == EntryReader::Result::NeedMore) break;
      if (r == EntryReader::Result::Error) return {out, error};
      out.push_back({e.family, std::string(e.key), std::string(e.value)});
    }
  }
  if (reader.partial()) error = "partial";
  return {out, error};
}

TEST(SnapshotFormat, PreambleRoundTripsAndOtherVersionsAreRefused) {
  std::string line = make_preamble(3);
  ASSERT_EQ(line.substr(line.size() - 2), "\r\n");
  line.resize(line.size() - 2);
  int db = -1;
  std::string error;
  ASSERT_TRUE(parse_preamble(line, db, error)) << error;
  EXPECT_EQ(db, 3);
  EXPECT_FALSE(parse_preamble("$BASALT-SNAPSHOT 1 0", db, error));
  EXPECT_NE(error.find("version 2"), std::string::npos) << error;
  EXPECT_FALSE(parse_preamble("REDIS0011", db, error));
  EXPECT_FALSE(parse_preamble("$BASALT-SNAPSHOT 2 x", db, error));
}

TEST(SnapshotFormat, PreambleCarriesTheBranchPointWhenKnown) {
  std::string line = make_preamble(5, 12345);
  line.resize(line.size() - 2);
  int db = -1;
  int64_t shared = -7;
  std::string error;
  ASSERT_TRUE(parse_preamble(line, db, error, &shared)) << error;
  EXPECT_EQ(db, 5);
  EXPECT_EQ(shared, 12345);
  ASSERT_TRUE(parse_preamble("$BASALT-SNAPSHOT 2 0", db, error, &shared)) << error;
  EXPECT_EQ(shared, -1);  // not known
  EXPECT_FALSE(parse_preamble("$BASALT-SNAPSHOT 2 0 x", db, error, &shared));
  EXPECT_FALSE(parse_preamble("$BASALT-SNAPSHOT 2 0 1 2", db, error, &shared));
}

TEST(SnapshotFormat, FrameHeaderRoundTripsAndOversizedFramesAreRefused) {
  std::string frame = make_frame("payload");
  uint32_t len = 0;
  uint64_t checksum = 0;
  std::string error;
  ASSERT_TRUE(
      parse_frame_header(std::string_view(frame).substr(0, kFrameHeader), len, checksum, error));
  EXPECT_EQ(len, 7u);
  EXPECT_EQ(checksum, payload_checksum("payload"));
  EXPECT_EQ(frame.substr(kFrameHeader), "payload");

  std::string huge = frame.substr(0, kFrameHeader);
  huge[0] = '\x7f';  // 2 GB announced
  EXPECT_FALSE(parse_frame_header(huge, len, checksum, error));
  EXPECT_NE(error.find("exceeds"), std::string::npos) << error;
  EXPECT_FALSE(parse_frame_header("short", len, checksum, error));
  std::string end = make_end(5, 9);
  ASSERT_TRUE(
      parse_frame_header(std::string_view(end).substr(0, kFrameHeader), len, checksum, error));
  EXPECT_EQ(len, 0u);
}

TEST(SnapshotFormat, SmallEntriesRoundTripInOnePayload) {
  std::vector<Item> items = {{Family::Data, "k1", "v1"},
                             {Family::Sub, "sub", ""},
                             {Family::Data, "", "empty key"},
                             {Family::Data, std::string("a\0b", 3), std::string(1000, '\xff')}};
  auto payloads = cut(items, 1 << 20);
  ASSERT_EQ(payloads.size(), 1u);
  auto [out, error] = reassemble(payloads);
  EXPECT_EQ(error, "");
  EXPECT_EQ(out, items);
}

TEST(SnapshotFormat, LargeValuesTravelInContinuationPayloadsOfBoundedSize) {
  std::string big(9 * 1000 * 1000 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>(i);
  std::vector<Item> items = {
      {Family::Data, "before", "1"}, {Family::Data, "big", big}, {Family::Sub, "after", "2"}};
  const size_t max = 1 << 20;
  auto payloads = cut(items, max);
  EXPECT_GE(payloads.size(), 9u);
  for (const auto& p : payloads) EXPECT_LE(p.size(), max);
  auto [out, error] = reassemble(payloads);
  EXPECT_EQ(error, "");
  EXPECT_EQ(out, items);
}

TEST(SnapshotFormat, PayloadsCutInsideHeadersAndKeysStillReassemble) {
  std::vector<Item> items;
  for (int i = 0; i < 50; ++i)
    items.push_back({i % 2 ? Family::Sub : Family::Data, "key-" + std::to_string(i),
                     std::string(static_cast<size_t>(i * 7), 'v')});
  for (size_t max : {1, 3, 7, 13, 64}) {
    auto payloads = cut(items, max);
    for (const auto& p : payloads) ASSERT_LE(p.size(), max);
    auto [out, error] = reassemble(payloads);
    EXPECT_EQ(error, "") << "max " << max;
    EXPECT_EQ(out, items) << "max " << max;
  }
}

TEST(SnapshotFormat, TruncatedStreamIsReportedAsPartial) {
  std::vector<Item> items = {{Family::Data, "k", std::string(5000, 'v')}};
  auto payloads = cut(items, 1024);
  payloads.pop_back();
  auto [out, error] = reassemble(payloads);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(error, "partial");
}

TEST(SnapshotFormat, CorruptFamilyIsAnError) {
  auto payloads = cut({{Family::Data, "k", "v"}}, 1024);
  payloads[0][0] = '\x09';
  auto [out, error] = reassemble(payloads);
  EXPECT_TRUE(out.empty());
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;
}

TEST(SnapshotFormat, OversizedKeyOrValueIsRefusedBeforeItIsBuffered) {
  // A value over the limit is refused as soon as its length is known: the first payload.
  auto payloads = cut({{Family::Data, "k", std::string(10000, 'v')}}, 100);
  auto [out, error] = reassemble({payloads[0]}, 1000);
  EXPECT_TRUE(out.empty());
  EXPECT_NE(error.find("value of 10000 bytes exceeds the limit of 1000"), std::string::npos)
      << error;
  payloads = cut({{Family::Data, std::string(2000, 'k'), "v"}}, 100);
  std::tie(out, error) = reassemble({payloads[0]}, 1000);
  EXPECT_NE(error.find("key of 2000 bytes exceeds"), std::string::npos) << error;
  // A corrupt length field (all ones) is refused, never allocated.
  const char raw[] =
      "\x01\x00\x00\x00\x01"
      "k"
      "\xff\xff\xff\xff\xff\xff\xff\xff";
  std::string bogus(raw, sizeof(raw) - 1);
  std::tie(out, error) = reassemble({bogus});
  EXPECT_NE(error.find("exceeds"), std::string::npos) << error;
}

}  // namespace
