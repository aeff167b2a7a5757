// node/util/accept_backoff.cpp — see accept_backoff.h.
#include "node/util/accept_backoff.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/util/log.h"

namespace basalt::util {

std::chrono::milliseconds AcceptBackoff::failed(const boost::system::error_code& ec) {
  if (failures_++ == 0) {
    started_ = std::chrono::steady_clock::now();
    delay_ = kFirst;
    log::warn("accepting {} connections failed: {}; retrying with a backoff of up to {} ms", what_,
              ec.message(), kMax.count());
  } else {
    delay_ = std::min(delay_ * 2, kMax);
  }
  return delay_;
}

void AcceptBackoff::succeeded() {
  if (failures_ == 0) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started_)
                .count();
  log::warn("accepting {} connections again after {} failed attempts in {} ms", what_, failures_,
            ms);
  failures_ = 0;
  delay_ = std::chrono::milliseconds(0);
}

boost::asio::awaitable<void> AcceptBackoff::wait_after(const boost::system::error_code& ec,
                                                       boost::asio::any_io_executor executor) {
  boost::asio::steady_timer timer(executor, failed(ec));
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace basalt::util
