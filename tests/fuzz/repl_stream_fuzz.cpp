// tests/fuzz/repl_stream_fuzz.cpp — fuzzes the replica's reading of its master's stream the way
// node/replication/master_stream.cpp does it: RespReader with the master's limits (no bulk
// limit), reads of any size, and a transaction (MULTI ... EXEC) kept whole: when a read ends
// inside one, the reader rewinds to the MULTI and the transaction waits for more bytes.
// Invariants: however the bytes are cut into reads, the commands applied (arguments and raw
// bytes) and the final outcome (error or not) are the same as with one read; the raw bytes of
// the commands applied are exactly the stream's bytes, in order (the replica logs them at the
// master's offsets).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "node/protocol/resp_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using basalt::protocol::ParserLimits;
using basalt::protocol::RespReader;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct Applied {
  std::vector<std::vector<std::string>> commands;
  std::string raw;  // the raw bytes of every command consumed, in order
  bool error = false;
};

// Feeds `stream` in reads of the given sizes (the last read takes the rest).
Applied apply(const std::string& stream, const std::vector<size_t>& reads) {
  Applied out;
  RespReader reader(64);
  ParserLimits limits;
  limits.max_bulk_len = SIZE_MAX / 4;  // as master_stream.cpp: the master is trusted
  reader.set_limits(limits);
  size_t fed = 0, read_index = 0;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    std::vector<std::vector<std::string>> batch;
    std::string batch_raw;
    size_t open_multi = SIZE_MAX, open_multi_mark = 0, open_multi_raw = 0;
    for (;;) {
      const size_t mark = reader.mark();
      auto r = reader.next();
      if (r == RespReader::Result::Incomplete) break;
      if (r == RespReader::Result::Error) {
        out.error = true;
        return out;
      }
      auto args = reader.args();
      const size_t raw_before = batch_raw.size();
      batch_raw.append(reader.raw());
      if (args.empty()) continue;
      batch.emplace_back(args.begin(), args.end());
      if (iequals(args[0], "multi")) {
        open_multi = batch.size() - 1;
        open_multi_mark = mark;
        open_multi_raw = raw_before;
      } else if (iequals(args[0], "exec") || iequals(args[0], "discard")) {
        open_multi = SIZE_MAX;
      }
    }
    if (open_multi != SIZE_MAX) {
      batch.resize(open_multi);
      batch_raw.resize(open_multi_raw);
      reader.rewind(open_multi_mark);
    }
    out.commands.insert(out.commands.end(), batch.begin(), batch.end());
    out.raw += batch_raw;
    if (fed == stream.size()) return out;
    reader.make_room();
    auto space = reader.space();
    size_t n = read_index < reads.size() ? reads[read_index++] : stream.size();
    n = std::min({n, space.size(), stream.size() - fed});
    std::memcpy(space.data(), stream.data() + fed, n);
    reader.commit(n);
    fed += n;
  }
  FUZZ_CHECK(false, "the stream was not consumed in a bounded number of reads");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<size_t> reads(in.ConsumeIntegralInRange<size_t>(0, 16));
  for (auto& r : reads) r = in.ConsumeIntegralInRange<size_t>(1, 64);
  const std::string stream = in.ConsumeRemainingBytesAsString();

  const Applied whole = apply(stream, {});
  const Applied split = apply(stream, reads);
  FUZZ_CHECK(whole.error == split.error, "same outcome whatever the reads");
  if (!whole.error) {
    FUZZ_CHECK(whole.commands == split.commands, "same commands whatever the reads");
    FUZZ_CHECK(whole.raw == split.raw, "same raw bytes whatever the reads");
    FUZZ_CHECK(stream.compare(0, whole.raw.size(), whole.raw) == 0,
               "raw bytes are the stream's prefix");
  }
  return 0;
}
