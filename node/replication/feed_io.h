// node/replication/feed_io.h — owns writing to a replica's socket on the master side with a
// progress deadline: a reader that accepts no byte for repl-timeout (it stopped reading) is
// told apart from a slow one, so its transfer can be dropped instead of pinning the log and
// a snapshot forever. A write the socket takes at once (the usual case for a replica that
// keeps up) arms no timer.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string_view>

#include "node/util/stream.h"

namespace basalt::replication {

enum class WriteOutcome { Done, Failed, Stalled };

// Writes all of `bytes`; Stalled if no byte was accepted for `stall_timeout`, Failed on a
// socket error. `written` receives the bytes written (also on failure).
inline boost::asio::awaitable<WriteOutcome> write_with_progress(
    util::Stream& socket, std::string_view bytes, std::chrono::milliseconds stall_timeout,
    size_t& written) {
  using namespace boost::asio::experimental::awaitable_operators;
  constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);
  written = 0;
  // Fast path (plain TCP): what the socket takes right now is written without arming a
  // timer, so a feed keeping up costs one send per group; only the rest waits, timed.
  if (!socket.is_tls()) {
    auto& tcp = socket.socket();
    boost::system::error_code ec;
    if (!tcp.non_blocking()) tcp.non_blocking(true, ec);
    if (!ec) {
      size_t n = tcp.write_some(boost::asio::buffer(bytes.data(), bytes.size()), ec);
      if (!ec) {
        written = n;
      } else if (ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
        co_return WriteOutcome::Failed;
      }
    }
    if (written == bytes.size()) co_return WriteOutcome::Done;
  }
  boost::asio::steady_timer timer(socket.get_executor());
  while (written < bytes.size()) {
    timer.expires_after(stall_timeout);
    auto rest = bytes.substr(written);
    auto result = co_await (
        socket.async_write_some(boost::asio::buffer(rest.data(), rest.size()), kNoThrow) ||
        timer.async_wait(kNoThrow));
    if (result.index() != 0) co_return WriteOutcome::Stalled;
    auto [ec, n] = std::get<0>(result);
    written += n;
    if (ec) co_return WriteOutcome::Failed;
  }
  co_return WriteOutcome::Done;
}

}  // namespace basalt::replication
