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

namespace {
// Waits on a timer listed in `list` until something cancels it; off the list however the wait
// ends (a destroyed frame included).
asio::awaitable<void> wait_listed(std::vector<asio::steady_timer*>& list) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, asio::steady_timer::time_point::max());
  list.push_back(&timer);
  struct Unlist {
    std::vector<asio::steady_timer*>& list;
    asio::steady_timer* timer;
    ~Unlist() { std::erase(list, timer); }
  } unlist{list, &timer};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}
}  // namespace

asio::awaitable<void> HeavyReadGate::close_and_drain() {
  ++closers_;
  while (running_ > 0) co_await wait_listed(waiters_);
}

void HeavyReadGate::reopen() {
  if (closers_ > 0) --closers_;
  if (closers_ == 0) {
    for (auto* waiter : open_waiters_) waiter->cancel();
  }
}

asio::awaitable<void> HeavyReadGate::wait_open() {
  while (closers_ > 0) co_await wait_listed(open_waiters_);
}

}  // namespace basalt::core
