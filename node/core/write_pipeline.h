// node/core/write_pipeline.h — the one ordered write pipeline. Clients hand it the commands
// of a read that contains writes; it runs every pending job in one group against a
// WriteBatchWithIndex (so each command sees the earlier ones), appends the group's
// replication bytes to the log and advances the offset in the same batch, writes once
// (group commit), and only then lets the clients send their replies.
#pragma once

#include <rocksdb/utilities/write_batch_with_index.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "node/core/client.h"
#include "node/core/command_batch.h"
#include "node/core/keyspace.h"
#include "node/core/repl_stream.h"

namespace basalt::core {

class Node;

class WritePipeline {
 public:
  explicit WritePipeline(Node& node);
  ~WritePipeline();

  void start();
  // Finishes queued work, then the run loop exits; `on_idle` is called when it has.
  void stop(std::function<void()> on_idle);

  // Runs every command of `batch` for `client` in the next group; replies go to `out`.
  boost::asio::awaitable<void> execute(Client& client, const CommandBatch& batch, std::string& out,
                                       size_t first = 0, size_t last = SIZE_MAX);
  // Queues an internal write (expiry deletions) for the next group.
  void post(std::function<void(Keyspace&)> task);

  // Runs `fn` between two groups, when no write is in flight (consistent snapshots).
  void at_quiescent_point(std::function<void()> fn);
  // The same, awaited: resumes once `fn` has run (always waits for it, so `fn` may use the
  // caller's locals).
  boost::asio::awaitable<void> run_at_quiescent_point(std::function<void()> fn);

  // Our stream must SELECT again before its next command (after promotion or a restart).
  void reset_stream_db() { stream_.reset_selected_db(); }

  // Called after every committed group that produced replication bytes.
  void set_on_commit(std::function<void(uint64_t new_offset)> fn) { on_commit_ = std::move(fn); }

 private:
  struct Job {
    Client* client;
    const CommandBatch* batch;
    size_t first, last;
    std::string* out;
    boost::asio::steady_timer* waker;
    bool done = false;
  };

  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> run_group(std::vector<Job*>& jobs,
                                         std::vector<std::function<void(Keyspace&)>>& tasks);
  // Writes what the current keyspace view collected; false if RocksDB refused it.
  boost::asio::awaitable<bool> commit(Keyspace& ks, std::string& error);

  Node& node_;
  std::deque<Job*> queue_;
  std::vector<std::function<void(Keyspace&)>> tasks_;
  std::vector<std::function<void()>> quiescent_;
  boost::asio::steady_timer wake_;
  rocksdb::WriteBatchWithIndex batch_;
  ReplStream stream_;
  bool stopping_ = false;
  int master_stream_db_ = -1;  // db of our master's client after this group (replicas)
  bool running_ = false;
  std::function<void()> on_idle_;
  std::function<void(uint64_t)> on_commit_;
};

}  // namespace basalt::core
