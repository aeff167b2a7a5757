// node/core/script_busy.h — whether a script runs right now (node/commands/scripting/ runs it
// on its own thread, inside a write group, while the event loop keeps serving): connections
// hold their commands until it ends, and past busy-reply-threshold answer -BUSY to all but
// the few commands Redis allows while a script is busy (connection.cpp).
#pragma once

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <vector>

namespace basalt::core {

class ScriptBusy {
 public:
  using Clock = std::chrono::steady_clock;

  bool running() const { return running_; }
  Clock::time_point since() const { return since_; }

  // Whether it is a function (FCALL): -BUSY then names FUNCTION KILL, as Redis does.
  bool function() const { return function_; }

  void begin(bool function = false) {
    running_ = true;
    function_ = function;
    since_ = Clock::now();
  }
  void end() {
    running_ = false;
    for (auto* waiter : waiters_) waiter->cancel();
  }
  // Waits until the script ends or `deadline` passes.
  boost::asio::awaitable<void> wait(boost::asio::any_io_executor executor,
                                    Clock::time_point deadline) {
    boost::asio::steady_timer timer(executor, deadline);
    waiters_.push_back(&timer);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::erase(waiters_, &timer);
  }

 private:
  bool running_ = false;
  bool function_ = false;
  Clock::time_point since_{};
  std::vector<boost::asio::steady_timer*> waiters_;
};

}  // namespace basalt::core
