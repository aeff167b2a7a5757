// node/protocol/resp_reader.h — the read side of every RESP connection (a client, our master's
// stream, a replica's ACKs): one buffer the socket reads into and the commands parsed from it
// in place. The buffer grows only as bytes arrive (at most doubling per read, and only for a
// command still incomplete), never to a size a peer merely announced, and it gives back what a
// huge command needed once that command is consumed.
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/protocol/request_parser.h"

namespace basalt::protocol {

class RespReader {
 public:
  using Result = RequestParser::Result;

  // `chunk`: the buffer's resting size and the least room offered to a read.
  explicit RespReader(size_t chunk = 16 * 1024);

  void set_limits(const ParserLimits& limits) { parser_.set_limits(limits); }

  // Makes room for the next read (moving unconsumed bytes to the front, growing if a pending
  // command needs it). False if the buffer would pass `max_bytes` (the caller closes the
  // connection: a query buffer limit).
  bool make_room(size_t max_bytes = SIZE_MAX);
  // Where the next read goes, and how many bytes it read into it.
  std::span<char> space() { return {buf_.data() + end_, buf_.size() - end_}; }
  void commit(size_t n) { end_ += n; }
  // Bytes already read elsewhere (what followed a handshake reply) go in first.
  void append(std::string_view bytes);

  // Parses the next complete command from the bytes read so far. On Complete, args() and
  // raw() hold it (views into the buffer, valid until the next make_room); an empty request
  // has no args. On Error, error() says why, in Redis's words.
  Result next();
  std::span<const std::string_view> args() const { return args_; }
  std::string_view raw() const { return raw_; }
  const std::string& error() const { return parser_.error(); }

  // Where the next command starts; rewind() goes back to such a mark, forgetting what was
  // parsed after it (our master's stream keeps an unfinished MULTI for the next read). A mark
  // is valid until the next make_room.
  size_t mark() const { return start_; }
  void rewind(size_t mark);
  // Bytes read but not yet consumed as whole commands (CLIENT LIST qbuf).
  size_t pending() const { return end_ - start_; }
  size_t capacity() const { return buf_.size(); }

 private:
  size_t chunk_;
  std::vector<char> buf_;
  size_t start_ = 0, end_ = 0;  // unconsumed bytes are buf_[start_, end_)
  RequestParser parser_;
  std::vector<std::string_view> args_;
  std::string_view raw_;
  // Inline command lines, unescaped (a deque: the views into them stay valid as it grows);
  // kept until the next make_room, like the buffer the other views point into.
  std::deque<std::string> inline_lines_;
};

}  // namespace basalt::protocol
