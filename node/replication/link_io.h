// node/replication/link_io.h — buffered reads with timeouts on a replica's link (plain or TLS)
// (lines for the handshake, exact sizes for snapshot frames), shared by master_link.cpp
// (where the coroutines are defined) and snapshot_loader.cpp.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "node/util/stream.h"

namespace basalt::replication {

// Buffered reads with timeouts on the link socket.
class LinkIo {
  using milliseconds = std::chrono::milliseconds;
  static constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

 public:
  explicit LinkIo(util::Stream& socket) : socket_(socket) {}

  // Reads what the socket has (at most a chunk) into the buffer; false on timeout, EOF or
  // error.
  boost::asio::awaitable<bool> fill(milliseconds timeout);

  // Takes a complete line (without CR LF) if the buffer holds one.
  bool take_line(std::string& line) {
    size_t nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) return false;
    line.assign(buf_, pos_, nl - pos_);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos_ = nl + 1;
    return true;
  }

  // Takes exactly `n` bytes if the buffer holds them.
  bool take(size_t n, std::string& out) {
    if (buf_.size() - pos_ < n) return false;
    out.assign(buf_, pos_, n);
    pos_ += n;
    return true;
  }

  boost::asio::awaitable<bool> send(std::string_view bytes);

  // Unconsumed bytes (the start of the stream after the handshake).
  std::string take_rest() {
    std::string rest = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    return rest;
  }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  util::Stream& socket_;
  std::string buf_;
  std::vector<char> chunk_ = std::vector<char>(64 * 1024);
  size_t pos_ = 0;
  uint64_t bytes_read_ = 0;
};

// Reads a line / exactly n bytes from the link, filling the buffer as needed; false on
// timeout, EOF or error.
boost::asio::awaitable<bool> read_line(LinkIo& io, std::string& line,
                                       std::chrono::milliseconds timeout);
boost::asio::awaitable<bool> read_exact(LinkIo& io, size_t n, std::string& out,
                                        std::chrono::milliseconds timeout);

}  // namespace basalt::replication
