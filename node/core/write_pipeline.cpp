// node/core/write_pipeline.cpp — see write_pipeline.h.
#include "node/core/write_pipeline.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "node/core/command_runner.h"
#include "node/core/misconf.h"
#include "node/core/node.h"
#include "node/util/ascii.h"
#include "node/util/log.h"
#include "storage/meta.h"

namespace basalt::core {

namespace asio = boost::asio;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr size_t kMaxJobsPerGroup = 4096;
constexpr size_t kMaxGroupBytes = 16u << 20;
// A queue of at least twice this many jobs is split in two groups (see run()).
constexpr size_t kMinSplitJobs = 8;
// Groups that are not split after one had to wait for the write in flight.
constexpr size_t kSplitPauseGroups = 16;

// FLUSHDB / FLUSHALL (alone or queued in a transaction) start a fresh group, and the group
// ends after the command that flushed (a script may too): their range deletions bypass the
// batch index, which RocksDB can't rebuild over one, so a save point rolled back after a
// flush (a command's failure, a stopped script) would leave the index short.
bool starts_fresh_group(const CommandRunner& runner, const CommandSpec* spec, const Client& client,
                        rocksdb::WriteBatchWithIndex& batch) {
  if (batch.GetWriteBatch()->HasDeleteRange()) return true;
  if (!spec) return false;
  if (spec->has(kBarrier)) return true;
  if (!spec->has(kExecGroup)) return false;
  for (const auto& queued : client.multi_queue) {
    if (queued.empty()) continue;
    const CommandSpec* one = runner.find(queued[0]);
    if (one && one->has(kBarrier)) return true;
  }
  return false;
}
}  // namespace

const CommandSpec* WritePipeline::spec_of(const CommandBatch& batch, size_t i) const {
  // Every reader looks the rows up as it parses; a batch built without them (an internal
  // caller) is looked up here, once.
  if (i < batch.specs.size()) return batch.specs[i];
  return node_.command_runner().find(batch.command(i)[0]);
}

size_t WritePipeline::job_bytes(const Job& job) {
  size_t n = 0;
  for (size_t i = job.first; i < job.last; ++i) {
    for (std::string_view arg : job.batch->command(i)) n += arg.size();
  }
  return n;
}

WritePipeline::WritePipeline(Node& node)
    : node_(node),
      wake_(node.io(), asio::steady_timer::time_point::max()),
      batch_(rocksdb::BytewiseComparator(), 0, true),
      inflight_done_(node.io(), asio::steady_timer::time_point::max()) {}

WritePipeline::~WritePipeline() = default;

void WritePipeline::start() {
  running_ = true;
  asio::co_spawn(node_.io(), run(), asio::detached);
}

void WritePipeline::stop(std::function<void()> on_idle) {
  stopping_ = true;
  resume_client_writes();
  if (!running_) {
    if (on_idle) on_idle();
    return;
  }
  on_idle_ = std::move(on_idle);
  wake_.cancel();
}

asio::awaitable<std::string> WritePipeline::execute(Client& client, const CommandBatch& batch,
                                                    std::string& out, size_t first, size_t last) {
  while (clients_paused_ && !client.is_master_link) {
    asio::steady_timer held(node_.io(), asio::steady_timer::time_point::max());
    paused_.push_back(&held);
    co_await held.async_wait(kNoThrow);
    std::erase(paused_, &held);
  }
  asio::steady_timer waker(node_.io(), asio::steady_timer::time_point::max());
  Job job;
  job.client = &client;
  job.batch = &batch;
  job.first = first;
  job.last = std::min(last, batch.size());
  job.out = &out;
  job.waker = &waker;
  queue_.push_back(&job);
  wake_.cancel();
  while (!job.done) co_await waker.async_wait(kNoThrow);
  co_return std::move(job.error);
}

void WritePipeline::resume_client_writes() {
  clients_paused_ = false;
  for (auto* held : paused_) held->cancel();
}

void WritePipeline::request_wal_sync() {
  if (!unsynced_ || !node_.storage_health().writable()) return;
  sync_due_ = true;
  wake_.cancel();
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
      co_await drain(false);  // (a snapshot's offset must be the data's)
      auto fns = std::move(quiescent_);
      quiescent_.clear();
      for (auto& fn : fns) fn();
    }
    if (queue_.empty() && tasks_.empty() && !sync_due_) {
      // Nothing to run: the write in flight is published as soon as it returns.
      if (inflight_.active && (inflight_.finished || stopping_)) {
        co_await drain(false);
        continue;
      }
      if (stopping_) break;
      co_await wake_.async_wait(kNoThrow);
      continue;
    }
    // A group is bounded by jobs and by argument bytes (always at least one job), so one
    // batch never holds an unbounded amount of data in memory. With nothing in flight, a
    // long queue is split in two: the second half runs while the first one's write is in
    // flight.
    size_t max_jobs = kMaxJobsPerGroup;
    if (split_pause_ > 0)
      --split_pause_;
    else if (!inflight_.active && queue_.size() >= 2 * kMinSplitJobs)
      max_jobs = std::min(max_jobs, (queue_.size() + 1) / 2);
    jobs.clear();
    size_t group_bytes = 0;
    while (!queue_.empty() && jobs.size() < max_jobs &&
           (jobs.empty() || group_bytes < kMaxGroupBytes)) {
      group_bytes += job_bytes(*queue_.front());
      jobs.push_back(queue_.front());
      queue_.pop_front();
    }
    tasks.clear();
    tasks.swap(tasks_);
    bool in_flight = co_await run_group(jobs, tasks);
    if (!in_flight) {
      for (Job* job : jobs) finish(*job);
    }
  }
  co_await drain(false);
  for (auto& fn : quiescent_) fn();
  quiescent_.clear();
  running_ = false;
  if (on_idle_) on_idle_();
}

void WritePipeline::finish(Job& job) {
  job.done = true;
  job.waker->cancel();
}

asio::awaitable<bool> WritePipeline::run_group(std::vector<Job*>& jobs,
                                               std::vector<std::function<void(Keyspace&)>>& tasks) {
  // Internal tasks (expiry, eviction) read the expiry index and any key: after the drain.
  if (!tasks.empty()) co_await drain(false);
  batch_.Clear();
  stream_.clear();
  std::optional<Keyspace> ks;
  ks.emplace(node_.keyspace(), unix_time_ms(), batch_, stream_);
  // (Reads the group in flight's records until it is drained: write_inflight.cpp.)
  ks->chain_after(&inflight_.ks);
  for (auto& task : tasks) task(*ks);
  prefetch_records(jobs);
  prefetch_elements(jobs);

  auto& runner = node_.command_runner();
  std::string error;
  bool failed = false;
  size_t j = 0;
  for (; j < jobs.size() && !failed; ++j) {
    Job& job = *jobs[j];
    job.committed_out = job.out->size();
    job.uncommitted = 0;
    size_t i = job.first;
    for (; i < job.last && !job.client->close_after_reply && job.error.empty(); ++i) {
      auto argv = job.batch->command(i);
      const CommandSpec* spec = spec_of(*job.batch, i);
      if (inflight_.active && !may_run_chained(job, spec)) {
        split_pause_ = kSplitPauseGroups;
        ++node_.stats().write_group_waits;
        co_await drain(true);
      }
      if (starts_fresh_group(runner, spec, *job.client, batch_) && ks->has_writes()) {
        // (The result is kept in a variable: GCC 12 miscompiles `!co_await` in a loop.)
        bool committed = co_await commit_jobs(*ks, jobs, j + 1, error);
        if (!committed) {
          failed = true;
          break;
        }
        reset_group(ks);
      }
      size_t exec_index = i;  // a master's transaction: where its EXEC is
      const bool heavy_txn = heavy_master_txn_candidate(job, i, spec, exec_index);
      const bool heavy_exec = !heavy_txn && heavy_exec_candidate(job, spec);
      if (heavy_txn || heavy_exec || heavy_candidate(job, i, spec)) {
        bool ran = false;
        bool ok = false;
        if (heavy_txn)
          ok = co_await run_heavy_master_txn(ks, jobs, j, i, exec_index, error, ran);
        else if (heavy_exec)
          ok = co_await run_heavy_exec(ks, jobs, j, i, spec, error, ran);
        else
          ok = co_await run_heavy(ks, jobs, j, i, spec, error, ran);
        if (!ok) {
          failed = true;
          if (ran) i = exec_index + 1;  // its replies are already the commit's error
          break;
        }
        i = exec_index;  // (the transaction's commands are answered up to its EXEC)
        continue;        // counted in job.uncommitted by run_heavy*
      }
      if (job.client->is_master_link) {
        run_master_command(job, *ks, i, spec);
      } else {
        protocol::ReplyBuilder reply(*job.out);
        ks->set_propagation(!node_.is_replica());
        job.client->group_can_continue = true;
        runner.run(*job.client, *ks, reply, spec, argv);
        job.client->group_can_continue = false;
        if (job.client->group_continuation) {
          // The in-group continuation (a script): awaited here, before the next command.
          auto continuation = std::move(job.client->group_continuation);
          job.client->group_continuation = nullptr;
          co_await continuation();
        }
        ks->set_propagation(true);
      }
      ++job.uncommitted;
    }
    if (failed) refuse(job, i, error);
  }
  ++node_.stats().write_groups;
  node_.stats().write_group_commands += jobs.size();
  if (!failed && may_hand_over(*ks)) {
    co_await drain(true);  // (this group's offsets and counts follow the one in flight)
    if (chained_failure_.empty() && may_hand_over(*ks)) {
      hand_over(ks, jobs);
      co_return true;
    }
  } else if (!failed && too_small_to_hand_over(*ks)) {
    // (One hot key: a group writes a few entries however many commands it ran. Splitting
    // the queue would only make two writes of one.)
    split_pause_ = kSplitPauseGroups;
  }
  if (!failed) {
    bool committed = co_await commit_jobs(*ks, jobs, jobs.size(), error);
    failed = !committed;
  }
  // Jobs the group never reached after a failed commit: none of their commands ran.
  for (; j < jobs.size(); ++j) refuse(*jobs[j], jobs[j]->first, error);
  co_return false;
}

void WritePipeline::refuse(Job& job, size_t from, const std::string& error) {
  protocol::ReplyBuilder reply(*job.out);
  for (size_t i = from; i < job.last; ++i) reply.error(misconf_error(error));
  if (job.error.empty()) job.error = error;
}

void WritePipeline::stop_master_stream(Job& job, std::string_view command,
                                       std::string_view error_reply) {
  std::string_view refused = error_reply.substr(std::min<size_t>(1, error_reply.size()));
  while (!refused.empty() && (refused.back() == '\n' || refused.back() == '\r'))
    refused.remove_suffix(1);
  job.error = "the master's command '" + std::string(command) +
              "' failed on this replica: " + std::string(refused);
  log::error("replication stream stopped: {}", job.error);
}

void WritePipeline::run_master_command(Job& job, Keyspace& ks, size_t i, const CommandSpec* spec) {
  auto argv = job.batch->command(i);
  bool opens = util::iequals(argv[0], "multi");
  bool closes = util::iequals(argv[0], "exec");
  ks.set_master_stream_mode(true);
  ks.set_propagation(false);
  Keyspace::SavePoint point = ks.save_point();
  size_t before = job.out->size();
  protocol::ReplyBuilder reply(*job.out);
  node_.command_runner().run(*job.client, ks, reply, spec, argv);
  ks.set_master_stream_mode(false);
  ks.set_propagation(true);
  if (job.out->size() > before && (*job.out)[before] == '-') {
    // The stream holds only commands that succeeded on the master: one that fails here
    // means this dataset is not the master's. Undo it (and its open transaction), log
    // none of its bytes, and stop: the offset stays at the last command applied.
    ks.rollback(point);
    if (master_txn_) ks.rollback(*master_txn_);
    master_txn_.reset();
    stop_master_stream(job, argv[0], std::string_view(*job.out).substr(before));
    return;
  }
  if (opens) {
    master_txn_ = std::move(point);  // kept until EXEC: a failure inside undoes it all
  } else {
    ks.release(point);
  }
  if (closes && master_txn_) {
    ks.release(*master_txn_);
    master_txn_.reset();
  }
  // The master's bytes are logged right after their effects, so that every commit
  // (barriers included) holds data and offset in step.
  if (i < job.batch->raw.size()) {
    stream_.append_raw(job.batch->raw[i]);
    master_stream_db_ = job.client->db;
  }
}

asio::awaitable<bool> WritePipeline::commit_jobs(Keyspace& ks, std::vector<Job*>& jobs,
                                                 size_t count, std::string& error) {
  master_txn_.reset();  // a commit ends the batch its save point lived in
  bool ok = co_await commit(ks, error);
  for (size_t k = 0; k < count; ++k) {
    Job& job = *jobs[k];
    if (!ok) fail_uncommitted(job, error);
    job.committed_out = job.out->size();
    job.uncommitted = 0;
  }
  co_return ok;
}

void WritePipeline::fail_uncommitted(Job& job, const std::string& error) {
  // None of these replies' effects is durable: each becomes the error.
  job.out->resize(job.committed_out);
  protocol::ReplyBuilder reply(*job.out);
  for (size_t n = 0; n < job.uncommitted; ++n) reply.error(misconf_error(error));
  if (job.error.empty()) job.error = error;
}

namespace {
uint64_t count_after(uint64_t committed, int64_t delta) {
  int64_t n = static_cast<int64_t>(committed) + delta;
  return static_cast<uint64_t>(n < 0 ? 0 : n);
}
}  // namespace

WritePipeline::StagedOffset WritePipeline::stage_group(Keyspace& ks) {
  // (Into batch_, which is not always ks's own batch: a heavy job's is swapped in.)
  ks.stage_records(*batch_.GetWriteBatch());
  StagedOffset staged = stage_replication();
  stage_counts(ks);
  return staged;
}

void WritePipeline::forget_unwritten_group() {
  node_.keyspace().pop_pools.clear();
  stream_.reset_selected_db();
}

// The group's stream bytes go into the log at the next offsets, and the new offset into meta,
// in the same batch as the data (S1).
WritePipeline::StagedOffset WritePipeline::stage_replication() {
  auto& repl = node_.repl_state();
  StagedOffset staged;
  staged.old_offset = staged.new_offset = repl.get().master_repl_offset;
  if (stream_.empty()) return staged;
  node_.repl_log().append(batch_, staged.old_offset + 1, stream_.bytes());
  staged.new_offset += stream_.size();
  staged.stream_db = node_.is_replica() ? master_stream_db_ : stream_.selected_db();
  repl.stage_advance(batch_, staged.new_offset, staged.stream_db);
  return staged;
}

// The per-db key and TTL counts and dataset bytes the group changed, in the same batch.
void WritePipeline::stage_counts(const Keyspace& ks) {
  auto& engine = node_.engine();
  const auto& shared = node_.keyspace();
  const auto& deltas = ks.count_deltas();
  const auto& expire_deltas = ks.expire_deltas();
  const auto& bytes_deltas = ks.bytes_deltas();
  for (size_t db = 0; db < deltas.size(); ++db) {
    auto index = static_cast<uint16_t>(db);
    if (deltas[db] != 0)
      storage::put_key_count(batch_, engine, index, count_after(shared.key_counts[db], deltas[db]));
    if (expire_deltas[db] != 0)
      storage::put_expire_count(batch_, engine, index,
                                count_after(shared.expire_counts[db], expire_deltas[db]));
    if (bytes_deltas[db] != 0)
      storage::put_dataset_bytes(batch_, engine, index,
                                 count_after(shared.dataset_bytes[db], bytes_deltas[db]));
  }
}

// One write of the batch: synced on the blocking pool (wal-sync always, or the everysec sync
// riding on this group), else on the loop. A failure is recorded in the storage health.
asio::awaitable<rocksdb::Status> WritePipeline::write_batch(bool sync) {
  auto& engine = node_.engine();
  auto* wb = batch_.GetWriteBatch();
  rocksdb::Status s;
  bool synced = sync || engine.wal_sync() == storage::WalSync::Always;
  if (synced || write_off_loop_) {
    // An fsync per group would stall the event loop: write on the blocking pool while
    // the loop keeps serving reads and queueing the next group. So is a heavy job's batch.
    // Until commit() publishes it, those reads see the state before it.
    pin_published_state();
    s = co_await asio::co_spawn(
        node_.blocking_pool(),
        [&engine, wb, sync]() -> asio::awaitable<rocksdb::Status> {
          co_return engine.write(wb, sync);
        },
        use_awaitable);
  } else {
    s = engine.write(wb);
  }
  if (!s.ok()) {
    record_write_failure(s);
    co_return s;
  }
  // What everysec still has to sync: nothing after a synced write, else whatever was written.
  if (synced)
    unsynced_ = false;
  else if (wb->Count() > 0)
    unsynced_ = true;
  co_return s;
}

void WritePipeline::record_write_failure(const rocksdb::Status& s) {
  auto& health = node_.storage_health();
  if (health.writable())
    log::error("storage write failed, writes are refused until it recovers: {}", s.ToString());
  health.record_failure(s.ToString(), unix_time_ms());
}

// After a durable write: the record cache, the counts in memory, the offset, the feeds.
void WritePipeline::publish_commit(Keyspace& ks, const StagedOffset& staged,
                                   const ReplStream& stream) {
  auto& shared = node_.keyspace();
  ks.publish_to_cache();
  const auto& deltas = ks.count_deltas();
  const auto& expire_deltas = ks.expire_deltas();
  const auto& bytes_deltas = ks.bytes_deltas();
  for (size_t db = 0; db < deltas.size(); ++db) {
    shared.key_counts[db] = count_after(shared.key_counts[db], deltas[db]);
    shared.expire_counts[db] = count_after(shared.expire_counts[db], expire_deltas[db]);
    shared.dataset_bytes[db] = count_after(shared.dataset_bytes[db], bytes_deltas[db]);
  }
  if (staged.new_offset != staged.old_offset) {
    node_.repl_state().advanced(staged.new_offset, staged.stream_db);
    if (on_commit_) on_commit_(staged.new_offset, stream.bytes());
  }
}

asio::awaitable<bool> WritePipeline::commit(Keyspace& ks, std::string& error) {
  co_await drain(true);
  if (!chained_failure_.empty()) {
    // The write in flight failed: what this group built on top of it is not written either.
    error = std::move(chained_failure_);
    chained_failure_.clear();
    forget_unwritten_group();
    co_return false;
  }
  StagedOffset staged = stage_group(ks);
  // everysec: the first group after the timer asked syncs the WAL (an empty one if need be).
  bool sync = sync_due_ && node_.engine().wal_sync() == storage::WalSync::EverySec &&
              node_.storage_health().writable();
  sync_due_ = false;
  if (batch_.GetWriteBatch()->Count() == 0 && !sync) co_return true;
  rocksdb::Status s = co_await write_batch(sync);
  if (!s.ok()) {
    error = s.ToString();
    forget_unwritten_group();
    unpin_published_state();  // (if the write was off the loop)
    co_return false;
  }
  publish_commit(ks, staged, stream_);
  unpin_published_state();
  co_return true;
}

}  // namespace basalt::core
