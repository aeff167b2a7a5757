// tests/unit/node_harness.h — runs a node (app::NodeApp) in-process for unit tests: opens it on a
// data directory, starts it on its own io_context, runs a test coroutine against it, then shuts it
// down (draining the write pipeline). The node stays open afterwards for inspection.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "node/app/node_app.h"
#include "node/commands/command_table.h"
#include "node/config/config.h"
#include "node/core/command_batch.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/reply.h"
#include "node/util/log.h"

namespace basalt::unit {

namespace asio = boost::asio;

// The commands of one pipeline job; owns the argument bytes the batch's views point into.
class Commands {
 public:
  Commands() = default;
  Commands(std::initializer_list<std::string_view> args) { add(args); }
  Commands(const Commands&) = delete;
  Commands& operator=(const Commands&) = delete;

  Commands& add(std::initializer_list<std::string_view> args) {
    auto first = static_cast<uint32_t>(batch_.args.size());
    for (std::string_view a : args) {
      store_.emplace_back(a);  // a deque: earlier strings never move
      batch_.args.push_back(store_.back());
    }
    batch_.add_command(static_cast<uint32_t>(args.size()),
                       commands::table().find(batch_.args[first]));
    return *this;
  }
  const core::CommandBatch& batch() const { return batch_; }

 private:
  std::deque<std::string> store_;
  core::CommandBatch batch_;
};

// RESP multibulk of one command, as the replication stream holds it.
inline std::string resp(std::initializer_list<std::string_view> args) {
  std::string out;
  protocol::append_multibulk(out, args);
  return out;
}

// Runs the commands as one job of the write pipeline; returns the replies.
inline asio::awaitable<std::string> execute(core::Node& node, core::Client& client,
                                            const Commands& commands) {
  std::string out;
  co_await node.pipeline().execute(client, commands.batch(), out);
  co_return out;
}

// Starts `n` coroutines `job(i)` at once (so the pipeline can group them) and waits until
// every one has finished.
inline asio::awaitable<void> run_concurrently(int n,
                                              std::function<asio::awaitable<void>(int)> job) {
  auto executor = co_await asio::this_coro::executor;
  int finished = 0;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  for (int i = 0; i < n; ++i) {
    asio::co_spawn(
        executor,
        [&, i]() -> asio::awaitable<void> {
          co_await job(i);
          if (++finished == n) all_done.cancel();
        },
        asio::detached);
  }
  while (finished < n) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Waits (without blocking the loop) until `done()` holds or `limit` passes; returns done().
inline asio::awaitable<bool> poll_until(
    std::function<bool()> done, std::chrono::milliseconds limit,
    std::chrono::milliseconds step = std::chrono::milliseconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return done();
    timer.expires_after(step);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

class NodeHarness {
 public:
  explicit NodeHarness(const std::string& dir,
                       const std::function<void(config::Config&)>& tweak = {}) {
    static const bool quiet = [] {
      log::set_level("warning");
      return true;
    }();
    (void)quiet;
    config::Config c;
    c.dir = dir;
    c.rocksdb_block_cache_size = 8 << 20;
    c.rocksdb_write_buffer_size = 4 << 20;
    if (tweak) tweak(c);
    app_ = std::make_unique<app::NodeApp>(io_, c);
    node_ = &app_->node();
    std::string error;
    opened_ = app_->open(error);
    EXPECT_TRUE(opened_) << error;
  }

  bool opened() const { return opened_; }
  core::Node& node() { return *node_; }
  app::NodeApp& app() { return *app_; }
  asio::io_context& io() { return io_; }

  // Starts the node, runs `body`, then shuts the node down and returns once the io_context
  // has stopped. Fails the test if that takes longer than `limit`.
  void run(std::function<asio::awaitable<void>(core::Node&)> body,
           std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    ASSERT_TRUE(opened_);
    ASSERT_FALSE(ran_) << "a node starts once; reopen it with a new harness";
    ran_ = true;
    app_->start();
    std::exception_ptr failure;
    asio::co_spawn(
        io_,
        [this, body = std::move(body)]() -> asio::awaitable<void> {
          co_await body(*node_);
          node_->shutdown(false);
        },
        [&failure, this](std::exception_ptr e) {
          if (e) {
            failure = e;
            node_->shutdown(false);
          }
        });
    io_.run_for(limit);
    if (!io_.stopped()) {
      ADD_FAILURE() << "the node did not finish within the time limit";
      node_->shutdown(false);
      io_.run_for(std::chrono::seconds(5));
    }
    if (failure) std::rethrow_exception(failure);
  }

 private:
  asio::io_context io_;
  std::unique_ptr<app::NodeApp> app_;
  core::Node* node_ = nullptr;
  bool opened_ = false;
  bool ran_ = false;
};

}  // namespace basalt::unit
