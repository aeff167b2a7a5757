// tests/fuzz/resp_request_fuzz.cpp — fuzzes the RESP request parser as a client connection
// uses it (RespReader over RequestParser, multibulk and inline, with and without the limits of
// a client that has not authenticated).
// Invariants: every complete command re-encoded as a multibulk request parses back to the
// same arguments and consumes exactly its bytes; a command's raw bytes are the bytes sent and
// parse back to the same arguments; spans stay inside the buffer (ASan); the reader never passes
// the bytes it was given.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>
#include <vector>

#include "node/protocol/resp_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using basalt::protocol::ParserLimits;
using basalt::protocol::RespReader;

std::string multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Parses `bytes` as one command; the arguments, or false if it is not exactly one command.
bool parse_one(std::string_view bytes, std::vector<std::string>& args) {
  RespReader reader(64);
  reader.append(bytes);
  if (reader.next() != RespReader::Result::Complete) return false;
  args.assign(reader.args().begin(), reader.args().end());
  return reader.raw().size() == bytes.size() && reader.pending() == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  ParserLimits limits;
  limits.unauthenticated = in.ConsumeBool();
  limits.max_bulk_len = in.ConsumeIntegralInRange<size_t>(0, 1 << 20);
  const std::string bytes = in.ConsumeRemainingBytesAsString();

  RespReader reader(64);
  reader.set_limits(limits);
  reader.append(bytes);
  size_t consumed = 0;
  for (int commands = 0; commands < 10000; ++commands) {
    auto r = reader.next();
    if (r != RespReader::Result::Complete) break;
    consumed += reader.raw().size();
    FUZZ_CHECK(consumed <= bytes.size(), "consumed more than was given");
    FUZZ_CHECK(!reader.raw().empty(), "a complete command consumed nothing");
    std::vector<std::string> args(reader.args().begin(), reader.args().end());
    // Redis limits what a stranger sends in a multibulk request; an inline one is bounded by
    // the 64 KB line limit instead.
    if (limits.unauthenticated && reader.raw()[0] == '*')
      FUZZ_CHECK(args.size() <= 10, "unauthenticated arg count");
    std::vector<std::string> again;
    FUZZ_CHECK(parse_one(multibulk(args), again) && again == args, "multibulk round trip");
    // raw() is the bytes as sent (an inline command is unescaped in a copy), so they parse
    // to the same command.
    FUZZ_CHECK(reader.raw() == std::string_view(bytes).substr(consumed - reader.raw().size(),
                                                              reader.raw().size()),
               "raw bytes are the bytes sent");
    FUZZ_CHECK(parse_one(reader.raw(), again) && again == args, "raw bytes re-parse");
  }
  FUZZ_CHECK(reader.pending() == bytes.size() - consumed, "pending bytes");
  return 0;
}
