// node/protocol/resp_reader.cpp — see resp_reader.h.
#include "node/protocol/resp_reader.h"

#include <algorithm>
#include <cstring>

namespace basalt::protocol {

RespReader::RespReader(size_t chunk) : chunk_(chunk), buf_(chunk) {}

bool RespReader::make_room(size_t max_bytes) {
  inline_lines_.clear();
  if (start_ == end_) {
    start_ = end_ = 0;
    // A huge command's buffer goes back once it is consumed.
    if (buf_.size() > 64 * chunk_) std::vector<char>(chunk_).swap(buf_);
  }
  size_t free = buf_.size() - end_;
  if (start_ > 0 && free < chunk_ / 4) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
    free = buf_.size() - end_;
  }
  // Grow only once the bytes that arrived filled the buffer: towards what a pending command
  // is known to need, but never more than double, so a peer that announces a huge argument
  // pays for every byte of buffer with a byte it sent.
  if (free < chunk_ / 4) {
    size_t want = std::max(buf_.size() + chunk_, start_ + parser_.bytes_needed());
    size_t grown = std::min(want, buf_.size() * 2);
    if (grown > max_bytes) return false;
    buf_.resize(grown);
  }
  return true;
}

RespReader::Result RespReader::next() {
  args_.clear();
  raw_ = {};
  if (start_ >= end_) return Result::Incomplete;
  char* base = buf_.data() + start_;
  const size_t available = end_ - start_;
  // An inline command is unescaped where it lies, so it is parsed from a copy of its line:
  // the buffer keeps the bytes as they arrived, so raw() is what the peer sent (a replica logs
  // it at the master's offsets) and a rewind() parses the same bytes again.
  if (base[0] != '*') {
    if (const void* nl = std::memchr(base, '\n', available)) {
      const size_t line = static_cast<const char*>(nl) - base + 1;
      std::string& copy = inline_lines_.emplace_back(base, line);
      Result r = parser_.parse(copy.data(), copy.size());
      if (r != Result::Complete) return r;
      for (const auto& span : parser_.spans())
        args_.emplace_back(copy.data() + span.offset, span.length);
      raw_ = std::string_view(base, parser_.consumed());
      start_ += parser_.consumed();
      parser_.reset();
      return r;
    }
  }
  Result r = parser_.parse(base, available);
  if (r != Result::Complete) return r;
  for (const auto& span : parser_.spans()) args_.emplace_back(base + span.offset, span.length);
  raw_ = std::string_view(base, parser_.consumed());
  start_ += parser_.consumed();
  parser_.reset();
  return r;
}

void RespReader::append(std::string_view bytes) {
  if (buf_.size() - end_ < bytes.size()) buf_.resize(end_ + bytes.size());
  std::memcpy(buf_.data() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

void RespReader::rewind(size_t mark) {
  start_ = mark;
  parser_.reset();
  args_.clear();
  raw_ = {};
}

}  // namespace basalt::protocol
