// node/core/heavy_read_gate.h — the heavy reads in flight (node/core/heavy_read.h), for what
// must not run under one: a replica's switch to a fully synced dataset destroys the column
// families a heavy read reads through. Closing the gate sends new heavy reads to the loop (run
// there like any read) and waits until the running ones end. Loop-only.
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
  void enter() { ++running_; }
  // A heavy read ended (back on the loop); the last one wakes the drain waiters.
  void leave();
  // Closes the gate and resumes once no heavy read runs; reopen() when done.
  boost::asio::awaitable<void> close_and_drain();
  void reopen() { --closers_; }
  size_t running() const { return running_; }

 private:
  size_t running_ = 0;
  int closers_ = 0;
  std::vector<boost::asio::steady_timer*> waiters_;
};

}  // namespace basalt::core
