// node/core/write_pipeline.cpp — see write_pipeline.h.
#include "node/core/write_pipeline.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "node/core/dispatch.h"
#include "node/core/node.h"
#include "node/util/log.h"
#include "storage/meta.h"

namespace basalt::core {

namespace asio = boost::asio;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr size_t kMaxJobsPerGroup = 4096;

// FLUSHDB / FLUSHALL (alone or queued in a transaction) start a fresh group: their range
// deletions bypass the batch index, so the batch must hold nothing older.
bool starts_fresh_group(const commands::Table& table, const Client& client,
                        std::span<const std::string_view> argv) {
  if (needs_barrier(table, argv)) return true;
  if (argv.empty() || !commands::iequals(argv[0], "exec")) return false;
  for (const auto& queued : client.multi_queue) {
    if (queued.empty()) continue;
    std::string_view name(queued[0]);
    std::span<const std::string_view> one(&name, 1);
    if (needs_barrier(table, one)) return true;
  }
  return false;
}
}  // namespace

WritePipeline::WritePipeline(Node& node)
    : node_(node),
      wake_(node.io(), asio::steady_timer::time_point::max()),
      batch_(rocksdb::BytewiseComparator(), 0, true) {}

WritePipeline::~WritePipeline() = default;

void WritePipeline::start() {
  running_ = true;
  asio::co_spawn(node_.io(), run(), asio::detached);
}

void WritePipeline::stop(std::function<void()> on_idle) {
  stopping_ = true;
  if (!running_) {
    if (on_idle) on_idle();
    return;
  }
  on_idle_ = std::move(on_idle);
  wake_.cancel();
}

asio::awaitable<void> WritePipeline::execute(Client& client, const CommandBatch& batch,
                                             std::string& out, size_t first, size_t last) {
  asio::steady_timer waker(node_.io(), asio::steady_timer::time_point::max());
  Job job{&client, &batch, first, std::min(last, batch.size()), &out, &waker};
  queue_.push_back(&job);
  wake_.cancel();
  while (!job.done) co_await waker.async_wait(kNoThrow);
}

void WritePipeline::post(std::function<void(Keyspace&)> task) {
  tasks_.push_back(std::move(task));
  wake_.cancel();
}

void WritePipeline::at_quiescent_point(std::function<void()> fn) {
  quiescent_.push_back(std::move(fn));
  wake_.cancel();
}

asio::awaitable<void> WritePipeline::run_at_quiescent_point(std::function<void()> fn) {
  asio::steady_timer ready(node_.io(), asio::steady_timer::time_point::max());
  bool ran = false;
  at_quiescent_point([&] {
    fn();
    ran = true;
    ready.cancel();
  });
  while (!ran) co_await ready.async_wait(kNoThrow);
}

asio::awaitable<void> WritePipeline::run() {
  std::vector<Job*> jobs;
  std::vector<std::function<void(Keyspace&)>> tasks;
  for (;;) {
    if (!quiescent_.empty()) {
      auto fns = std::move(quiescent_);
      quiescent_.clear();
      for (auto& fn : fns) fn();
    }
    if (queue_.empty() && tasks_.empty()) {
      if (stopping_) break;
      co_await wake_.async_wait(kNoThrow);
      continue;
    }
    jobs.clear();
    while (!queue_.empty() && jobs.size() < kMaxJobsPerGroup) {
      jobs.push_back(queue_.front());
      queue_.pop_front();
    }
    tasks.clear();
    tasks.swap(tasks_);
    co_await run_group(jobs, tasks);
    for (Job* job : jobs) {
      job->done = true;
      job->waker->cancel();  // the job lives in the client's coroutine: don't touch it after
    }
  }
  for (auto& fn : quiescent_) fn();
  quiescent_.clear();
  running_ = false;
  if (on_idle_) on_idle_();
}

asio::awaitable<void> WritePipeline::run_group(std::vector<Job*>& jobs,
                                               std::vector<std::function<void(Keyspace&)>>& tasks) {
  batch_.Clear();
  stream_.clear();
  std::optional<Keyspace> ks;
  ks.emplace(node_.keyspace(), unix_time_ms(), batch_, stream_);
  for (auto& task : tasks) task(*ks);

  std::vector<size_t> out_starts;
  out_starts.reserve(jobs.size());
  bool failed = false;
  std::string error;
  const auto& table = node_.commands();
  bool replica = node_.is_replica();
  for (Job* job : jobs) {
    out_starts.push_back(job->out->size());
    protocol::ReplyBuilder reply(*job->out);
    const CommandBatch& batch = *job->batch;
    bool from_master = job->client->is_master_link;
    for (size_t i = job->first; i < job->last && !job->client->close_after_reply; ++i) {
      auto argv = batch.command(i);
      if (starts_fresh_group(table, *job->client, argv) && batch_.GetWriteBatch()->Count() > 0) {
        if (!co_await commit(*ks, error)) failed = true;
        batch_.Clear();
        stream_.clear();
        ks.emplace(node_.keyspace(), unix_time_ms(), batch_, stream_);
      }
      ks->set_master_stream_mode(from_master);
      ks->set_propagation(!replica);
      run_command(node_, *job->client, *ks, reply, argv);
      // The master's bytes are logged right after their effects, so that every commit
      // (barriers included) holds data and offset in step.
      if (from_master && i < batch.raw.size()) {
        stream_.append_raw(batch.raw[i]);
        master_stream_db_ = job->client->db;
      }
    }
    ks->set_master_stream_mode(false);
    ks->set_propagation(true);
  }
  if (!co_await commit(*ks, error)) failed = true;
  ++node_.stats().write_groups;
  node_.stats().write_group_commands += jobs.size();

  if (failed) {
    // Nothing (or not all) of the group is durable: no client may see a success reply.
    for (size_t j = 0; j < jobs.size(); ++j) {
      jobs[j]->out->resize(out_starts[j]);
      protocol::ReplyBuilder reply(*jobs[j]->out);
      for (size_t i = jobs[j]->first; i < jobs[j]->last; ++i)
        reply.error("ERR the write to the storage engine failed: " + error);
    }
  }
}

asio::awaitable<bool> WritePipeline::commit(Keyspace& ks, std::string& error) {
  auto& engine = node_.engine();
  auto& repl = node_.repl();
  auto& shared = node_.keyspace();
  uint64_t new_offset = repl.master_repl_offset;
  if (!stream_.empty()) {
    node_.repl_log().append(batch_, repl.master_repl_offset + 1, stream_.bytes());
    new_offset += stream_.size();
    storage::put_offset(batch_, engine, new_offset);
    // The db in effect at the new offset: a replica resuming from here must apply the next
    // bytes in it (Redis persists the same as repl-stream-db).
    int db = node_.is_replica() ? master_stream_db_ : stream_.selected_db();
    if (db >= 0 && db != repl.stream_db) {
      repl.stream_db = db;
      storage::put_stream_db(batch_, engine, db);
    }
  }
  const auto& deltas = ks.count_deltas();
  const auto& expire_deltas = ks.expire_deltas();
  auto after = [](uint64_t committed, int64_t delta) {
    int64_t n = static_cast<int64_t>(committed) + delta;
    return static_cast<uint64_t>(n < 0 ? 0 : n);
  };
  for (size_t db = 0; db < deltas.size(); ++db) {
    if (deltas[db] != 0) {
      storage::put_key_count(batch_, engine, static_cast<uint16_t>(db),
                             after(shared.key_counts[db], deltas[db]));
    }
    if (expire_deltas[db] != 0) {
      storage::put_expire_count(batch_, engine, static_cast<uint16_t>(db),
                                after(shared.expire_counts[db], expire_deltas[db]));
    }
  }
  auto* wb = batch_.GetWriteBatch();
  if (wb->Count() == 0) co_return true;

  rocksdb::Status s;
  if (engine.wal_sync() == storage::WalSync::Always) {
    // An fsync per group would stall the event loop: write on the blocking pool while
    // the loop keeps serving reads and queueing the next group.
    s = co_await asio::co_spawn(
        node_.blocking_pool(),
        [&engine, wb]() -> asio::awaitable<rocksdb::Status> { co_return engine.write(wb); },
        use_awaitable);
  } else {
    s = engine.write(wb);
  }
  if (!s.ok()) {
    error = s.ToString();
    log::error("write group failed: {}", error);
    co_return false;
  }
  ks.publish_to_cache();
  for (size_t db = 0; db < deltas.size(); ++db) {
    shared.key_counts[db] = after(shared.key_counts[db], deltas[db]);
    shared.expire_counts[db] = after(shared.expire_counts[db], expire_deltas[db]);
  }
  if (new_offset != repl.master_repl_offset) {
    repl.master_repl_offset = new_offset;
    if (on_commit_) on_commit_(new_offset);
  }
  co_return true;
}

}  // namespace basalt::core
