// node/protocol/resp_reader.cpp — see resp_reader.h.
#include "node/protocol/resp_reader.h"

#include <algorithm>
#include <cstring>

namespace basalt::protocol {

RespReader::RespReader(size_t chunk) : chunk_(chunk), buf_(chunk) {}

bool RespReader::make_room(size_t max_bytes) {
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
  Result r = parser_.parse(buf_.data() + start_, end_ - start_);
  if (r != Result::Complete) return r;
  char* base = buf_.data() + start_;
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
