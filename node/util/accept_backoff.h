// node/util/accept_backoff.h — what an accept loop does when accept fails (EMFILE, ENFILE,
// ENOBUFS, ...): wait before the next attempt, 10 ms doubling up to 1 s, and log once per
// episode (the first failure, then one line when accepting works again), never per attempt.
// The loop itself never ends on such an error.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace basalt::util {

class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{10};
  static constexpr std::chrono::milliseconds kMax{1000};

  // `what` names the listener in the log ("client", "admin API").
  explicit AcceptBackoff(std::string what) : what_(std::move(what)) {}

  // After a failed accept: the delay before the next attempt (logs if an episode starts).
  std::chrono::milliseconds failed(const boost::system::error_code& ec);
  // After a successful accept: ends an episode (logs how long it lasted).
  void succeeded();
  bool in_episode() const { return failures_ > 0; }

  // failed(ec), then waits that long on `executor`.
  boost::asio::awaitable<void> wait_after(const boost::system::error_code& ec,
                                          boost::asio::any_io_executor executor);

 private:
  std::string what_;
  uint64_t failures_ = 0;
  std::chrono::milliseconds delay_{0};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace basalt::util
