// tests/fuzz/snapshot_frame_fuzz.cpp — fuzzes the replica's side of the full-sync payload
// (node/replication/snapshot_format.h): the preamble line, frame headers, and the entry stream
// reassembled from payloads cut anywhere (EntryReader), with small key/value limits.
// Invariants: a preamble that parses re-makes to one with the same fields; a frame header
// that parses announces at most kMaxFramePayload bytes and make_frame's header reads back;
// the entries (and the outcome) do not depend on where the payloads were cut; the entries
// read, written again by EntryWriter into small payloads, read back the same.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "node/replication/snapshot_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace basalt::replication;

struct Read {
  std::vector<std::tuple<Family, std::string, std::string>> entries;
  bool error = false;
  bool partial = false;
};

Read read_entries(const std::string& stream, const std::vector<size_t>& cuts, uint64_t max_key,
                  uint64_t max_value) {
  Read out;
  EntryReader reader(max_key, max_value);
  size_t pos = 0, cut = 0;
  while (pos < stream.size() && !out.error) {
    size_t n = cut < cuts.size() ? cuts[cut++] : stream.size();
    n = std::min(n, stream.size() - pos);
    reader.feed(std::string_view(stream).substr(pos, n));
    pos += n;
    for (;;) {
      Entry e;
      std::string error;
      auto r = reader.next(e, error);
      if (r == EntryReader::Result::NeedMore) break;
      if (r == EntryReader::Result::Error) {
        FUZZ_CHECK(!error.empty(), "an error says why");
        out.error = true;
        break;
      }
      FUZZ_CHECK(e.key.size() <= max_key && e.value.size() <= max_value, "limits hold");
      out.entries.emplace_back(e.family, std::string(e.key), std::string(e.value));
    }
  }
  out.partial = !out.error && reader.partial();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string line = in.ConsumeRandomLengthString(64);
  int db = 0;
  int64_t shared = -1;
  std::string error;
  if (parse_preamble(line, db, error, &shared)) {
    std::string again = make_preamble(db, shared);
    FUZZ_CHECK(again.size() >= 2 && again.substr(again.size() - 2) == "\r\n", "CR LF");
    int db2 = -1;
    int64_t shared2 = -2;
    FUZZ_CHECK(parse_preamble(again.substr(0, again.size() - 2), db2, error, &shared2),
               "a made preamble parses");
    FUZZ_CHECK(db2 == db && shared2 == (shared < 0 ? -1 : shared), "preamble round trip");
  } else {
    FUZZ_CHECK(!error.empty(), "a refused preamble says why");
  }

  const std::string header = in.ConsumeBytesAsString(kFrameHeader);
  uint32_t length = 0;
  uint64_t checksum = 0;
  if (parse_frame_header(header, length, checksum, error)) {
    FUZZ_CHECK(length <= kMaxFramePayload, "frame length limit");
  }

  const uint64_t max_key = in.ConsumeIntegralInRange<uint64_t>(0, 64);
  const uint64_t max_value = in.ConsumeIntegralInRange<uint64_t>(0, 512);
  std::vector<size_t> cuts(in.ConsumeIntegralInRange<size_t>(0, 16));
  for (auto& c : cuts) c = in.ConsumeIntegralInRange<size_t>(1, 32);
  const std::string stream = in.ConsumeRemainingBytesAsString();

  const Read whole = read_entries(stream, {}, max_key, max_value);
  const Read split = read_entries(stream, cuts, max_key, max_value);
  FUZZ_CHECK(whole.error == split.error && whole.partial == split.partial, "same outcome");
  FUZZ_CHECK(whole.entries == split.entries, "same entries wherever the payloads are cut");

  // Write the entries again into 7-byte payloads, frame them, and read them back.
  EntryWriter writer(7);
  std::string rewritten;
  std::string payload;
  for (const auto& [family, key, value] : whole.entries) {
    writer.begin(family, key, value);
    while (!writer.write_into(payload)) {
      std::string frame = make_frame(payload);
      uint32_t len = 0;
      uint64_t sum = 0;
      FUZZ_CHECK(parse_frame_header(frame.substr(0, kFrameHeader), len, sum, error) &&
                     len == payload.size() && sum == payload_checksum(payload),
                 "frame header round trip");
      rewritten += payload;
      payload.clear();
    }
  }
  rewritten += payload;
  const Read back = read_entries(rewritten, {7, 7, 7, 7}, max_key, max_value);
  FUZZ_CHECK(!back.error && !back.partial && back.entries == whole.entries,
             "entries written again read back the same");
  return 0;
}
