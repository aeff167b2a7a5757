// node/core/heavy_read_gate.h — the heavy reads in flight (node/core/heavy_read.h), for what
// must not run under one: a replica's switch to a fully synced dataset destroys the column
// families a heavy read reads through. Closing the gate holds new heavy reads (they wait for
// it to reopen, then run off the loop against the dataset of then) and waits until the running
// ones end. Loop-only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <vector>

namespace basalt::core {

class HeavyReadGate {
 public:
  // False while closed: a read may not start off the loop.
  bool open() const { return closers_ == 0; }
  // Resumes once the gate is open (at once if it is).
  boost::asio::awaitable<void> wait_open();
  void enter() { ++running_; }
  // A heavy read ended (back on the loop); the last one wakes the drain waiters.
  void leave();
  // Closes the gate and resumes once no heavy read runs; reopen() when done.
  boost::asio::awaitable<void> close_and_drain();
  void reopen();
  size_t running() const { return running_; }

 private:
  size_t running_ = 0;
  int closers_ = 0;
  std::vector<boost::asio::steady_timer*> waiters_;       // drains waiting for the last read
  std::vector<boost::asio::steady_timer*> open_waiters_;  // reads waiting for the gate
};

}  // namespace basalt::core
