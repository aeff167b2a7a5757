// node/core/heavy_read_gate.cpp — see heavy_read_gate.h.
#include "node/core/heavy_read_gate.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace basalt::core {

namespace asio = boost::asio;

void HeavyReadGate::leave() {
  if (running_ > 0) --running_;
  if (running_ == 0) {
    for (auto* waiter : waiters_) waiter->cancel();
  }
}

asio::awaitable<void> HeavyReadGate::close_and_drain() {
  ++closers_;
  auto executor = co_await asio::this_coro::executor;
  while (running_ > 0) {
    asio::steady_timer timer(executor, asio::steady_timer::time_point::max());
    waiters_.push_back(&timer);
    // Off the list however the wait ends (a destroyed frame included).
    struct Unlist {
      std::vector<asio::steady_timer*>& list;
      asio::steady_timer* timer;
      ~Unlist() { std::erase(list, timer); }
    } unlist{waiters_, &timer};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace basalt::core
