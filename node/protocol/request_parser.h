// node/protocol/request_parser.h — incremental RESP2 request parser (multibulk and inline).
//
// The parser never copies argument bytes: it records (offset, length) spans relative to the
// start of the command in the caller's buffer. A command split across reads is resumed where
// it stopped, so a huge command is scanned once. Inline commands are unescaped in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::protocol {

struct ArgSpan {
  size_t offset;
  size_t length;
};

struct ParserLimits {
  size_t max_bulk_len = 512ull << 20;  // proto-max-bulk-len
  size_t max_inline_len = 64 * 1024;   // PROTO_INLINE_MAX_SIZE
  // A client that must still authenticate (Redis authRequired): at most 10 arguments of at
  // most 16 KB each, so a stranger cannot make the server hold big buffers.
  bool unauthenticated = false;
};

inline constexpr int64_t kUnauthMaxMultibulk = 10;
inline constexpr int64_t kUnauthMaxBulk = 16384;

class RequestParser {
 public:
  enum class Result { Complete, Incomplete, Error };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}
  void set_limits(const ParserLimits& limits) { limits_ = limits; }

  // Parses (or resumes parsing) the command that starts at data[0]; `size` is how many bytes
  // are available. On Complete, spans() hold the arguments (possibly none: an empty request)
  // and consumed() the bytes used. On Error, error() holds the Redis-worded message.
  Result parse(char* data, size_t size);

  const std::vector<ArgSpan>& spans() const { return spans_; }
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }
  // Bytes the current command is known to need in total, 0 if unknown: a bound for buffer
  // growth, never a size to allocate up front (a client can announce 512 MB and send nothing).
  size_t bytes_needed() const { return needed_; }
  // Forgets a finished command; must be called before parsing the next one.
  void reset();

 private:
  Result parse_inline(char* data, size_t size);
  Result parse_multibulk(char* data, size_t size);
  Result fail(std::string message);

  ParserLimits limits_;
  std::vector<ArgSpan> spans_;
  std::string error_;
  size_t consumed_ = 0;
  size_t needed_ = 0;
  // multibulk resume state
  bool in_multibulk_ = false;
  int64_t remaining_args_ = 0;
  int64_t bulk_len_ = -1;
  size_t pos_ = 0;
};

// Splits an inline request line the way Redis's sdssplitargs does, unescaping in place.
// Returns false on unbalanced quotes. Spans are relative to `line`.
bool split_inline_args(char* line, size_t len, std::vector<ArgSpan>& out);

}  // namespace basalt::protocol
