// node/core/write_pipeline.h — the one ordered write pipeline. Clients hand it the commands
// of a read that contains writes; it runs every pending job in one group against a
// WriteBatchWithIndex (so each command sees the earlier ones), appends the group's
// replication bytes to the log and advances the offset in the same batch, writes once
// (group commit), and only then lets the clients send their replies.
//
// A failed commit stops the group there (as LevelDB's write path does): what committed
// before it keeps its replies, every command after the last good commit is answered with
// an error, and the storage health records the failure (writes are then refused until
// the store recovers). No client is told OK for a write that is not durable, nor an error
// for one that is. Commands from our master (replicas) that fail are undone and stop the
// stream there: the link then reconnects and resumes from the last committed offset.
#pragma once

#include <rocksdb/utilities/write_batch_with_index.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/client.h"
#include "node/core/command_batch.h"
#include "node/core/keyspace.h"
#include "node/core/repl_stream.h"

namespace basalt::core {

class HeavyView;
class Node;
class ExecRunner;

class WritePipeline {
 public:
  explicit WritePipeline(Node& node);
  ~WritePipeline();

  void start();
  // Finishes queued work, then the run loop exits; `on_idle` is called when it has.
  void stop(std::function<void()> on_idle);

  // Runs every command of `batch` for `client` in the next group; replies go to `out`.
  // Returns "" when every command's effects committed, else why they stopped (the commands
  // from the first one that did not commit are not applied).
  boost::asio::awaitable<std::string> execute(Client& client, const CommandBatch& batch,
                                              std::string& out, size_t first = 0,
                                              size_t last = SIZE_MAX);
  // FAILOVER's write pause: while paused, execute() holds the writes of every client but our
  // master's link before they are queued (they wait, they are not refused), and runs them
  // once resumed (against the role the node has then).
  void pause_client_writes() { clients_paused_ = true; }
  void resume_client_writes();
  bool client_writes_paused() const { return clients_paused_; }
  // Writers the pause holds right now (INFO blocked_clients counts them, as Redis counts
  // clients a pause postpones).
  size_t held_writers() const { return paused_.size(); }

  // Queues an internal write (expiry deletions) for the next group.
  void post(std::function<void(Keyspace&)> task);

  // Runs `fn` between two groups, when no write is in flight (consistent snapshots).
  void at_quiescent_point(std::function<void()> fn);
  // The same, awaited: resumes once `fn` has run (always waits for it, so `fn` may use the
  // caller's locals).
  boost::asio::awaitable<void> run_at_quiescent_point(std::function<void()> fn);

  // Syncs the WAL with the next group (wal-sync everysec): an empty group if none is due.
  void request_wal_sync();

  // Our stream must SELECT again before its next command (after promotion or a restart).
  void reset_stream_db() { stream_.reset_selected_db(); }

  // What EXEC means, for transactions that run as a heavy job (node/core/heavy_exec.h);
  // without it every EXEC runs on the loop.
  void set_exec_runner(ExecRunner& runner) { exec_runner_ = &runner; }

  // Called after every committed group that produced replication bytes (`bytes`: the group's
  // stream, whose last byte has offset `new_offset`; valid during the call only).
  void set_on_commit(std::function<void(uint64_t new_offset, std::string_view bytes)> fn) {
    on_commit_ = std::move(fn);
  }

 private:
  struct Job {
    Client* client = nullptr;
    const CommandBatch* batch = nullptr;
    size_t first = 0, last = 0;
    std::string* out = nullptr;
    boost::asio::steady_timer* waker = nullptr;
    bool done = false;
    std::string error;         // why the job's commands stopped committing ("" = all did)
    size_t committed_out = 0;  // size of *out at the last commit that covered this job
    size_t uncommitted = 0;    // replies written since then
  };

  static size_t job_bytes(const Job& job);
  boost::asio::awaitable<void> run();
  // Runs one group; true if its commit went in flight (its jobs finish when it is drained).
  boost::asio::awaitable<bool> run_group(std::vector<Job*>& jobs,
                                         std::vector<std::function<void(Keyspace&)>>& tasks);
  // Marks a job finished and wakes its client (the job lives in the client's coroutine:
  // nothing may touch it after this).
  static void finish(Job& job);
  // Rewrites the replies a job collected since its last commit as `error` (none of their
  // effects is durable).
  static void fail_uncommitted(Job& job, const std::string& error);
  // Heavy jobs (node/core/heavy_job.cpp): whether command `i` of `job` is one, and running it
  // as a group of its own off the loop (what jobs[0..j] hold so far is committed first).
  // False if a commit failed (`error` says why); `ran`: command `i` was answered.
  bool heavy_candidate(const Job& job, size_t i, const CommandSpec* spec);
  boost::asio::awaitable<bool> run_heavy(std::optional<Keyspace>& ks, std::vector<Job*>& jobs,
                                         size_t j, size_t i, const CommandSpec* spec,
                                         std::string& error, bool& ran);
  // The same for an EXEC whose transaction holds a heavy command (node/core/heavy_exec.cpp):
  // all of its commands run in one job, off the loop, and commit as one group.
  bool heavy_exec_candidate(const Job& job, const CommandSpec* spec);
  boost::asio::awaitable<bool> run_heavy_exec(std::optional<Keyspace>& ks, std::vector<Job*>& jobs,
                                              size_t j, size_t i, const CommandSpec* spec,
                                              std::string& error, bool& ran);
  // The same on a replica for a transaction of our master's stream (MULTI at `i`, its EXEC
  // at `exec_index`; node/core/heavy_master_exec.cpp): applied whole in one job off the loop.
  bool heavy_master_txn_candidate(const Job& job, size_t i, const CommandSpec* spec,
                                  size_t& exec_index);
  boost::asio::awaitable<bool> run_heavy_master_txn(std::optional<Keyspace>& ks,
                                                    std::vector<Job*>& jobs, size_t j, size_t i,
                                                    size_t exec_index, std::string& error,
                                                    bool& ran);
  // A fresh batch, stream and view for the rest of the group.
  void reset_group(std::optional<Keyspace>& ks);
  // Before a heavy job: commits what `ks` holds for jobs[0..j] and starts a fresh group.
  // False if the commit failed (`error` says why).
  boost::asio::awaitable<bool> commit_held(std::optional<Keyspace>& ks, std::vector<Job*>& jobs,
                                           size_t j, std::string& error);
  // After a heavy job ran: commits `view` as a group of its own for jobs[0..j] (its batch and
  // stream are the pipeline's for that commit, written off the loop), publishes its effects
  // if that worked, and starts a fresh group. False if the commit failed.
  boost::asio::awaitable<bool> commit_view(HeavyView& view, std::optional<Keyspace>& ks,
                                           std::vector<Job*>& jobs, size_t j, std::string& error);
  // Runs command `i` of a job from our master: if it fails it is undone (with the rest of
  // its transaction) and ends the job, so no byte is logged without its effects.
  void run_master_command(Job& job, Keyspace& ks, size_t i, const CommandSpec* spec);
  // Ends a job from our master whose `command` failed here with `error_reply` (a RESP error,
  // "-..." and its CRLF): the job's error names both, and the log says the stream stopped.
  static void stop_master_stream(Job& job, std::string_view command, std::string_view error_reply);
  // The row of command `i` of `batch`, as its reader looked it up.
  const CommandSpec* spec_of(const CommandBatch& batch, size_t i) const;
  // Asks the CPU for the record cache's slots and entries of the keys the group's commands
  // name, before they run (node/core/write_prefetch.cpp).
  void prefetch_records(const std::vector<Job*>& jobs);
  // The same for the element cache's entries of the elements they name (CommandSpec::elements),
  // in collections whose record is cached.
  void prefetch_elements(const std::vector<Job*>& jobs);
  // Commits what `ks` collected for jobs[0..count); on failure rewrites their uncommitted
  // replies as errors. False if the commit failed.
  boost::asio::awaitable<bool> commit_jobs(Keyspace& ks, std::vector<Job*>& jobs, size_t count,
                                           std::string& error);
  // Answers the job's commands from `from` on (never run) with the storage error.
  void refuse(Job& job, size_t from, const std::string& error);
  // Writes what the current keyspace view collected; false if RocksDB refused it. In steps:
  // stage the replication bytes and offset, stage the counts, write once, publish.
  boost::asio::awaitable<bool> commit(Keyspace& ks, std::string& error);
  struct StagedOffset {
    uint64_t old_offset = 0, new_offset = 0;
    int stream_db = -1;
  };
  // Stages into batch_ what `ks` holds: its records, the stream bytes and offset, the counts.
  StagedOffset stage_group(Keyspace& ks);
  StagedOffset stage_replication();
  void stage_counts(const Keyspace& ks);
  boost::asio::awaitable<rocksdb::Status> write_batch(bool sync);
  // A failed write: logged once and recorded in the storage health.
  void record_write_failure(const rocksdb::Status& s);
  // What a group that was not written leaves behind: SPOP's picks it took, and the SELECT
  // its stream may have logged (the next command selects again).
  void forget_unwritten_group();
  // `stream`: the committed group's replication bytes.
  void publish_commit(Keyspace& ks, const StagedOffset& staged, const ReplStream& stream);
  // While a batch is written off the loop (the blocking pool, the writer thread) the loop
  // serves reads: they must see the published state, not a batch whose records are not in
  // the record cache yet (a cache hit from before it, a miss read from the store after it:
  // half an MSET). Pinned: read-only views read a snapshot taken before the write.
  void pin_published_state();
  void unpin_published_state();

  // The commit in flight (node/core/write_inflight.cpp). A group's last commit may be handed
  // over: its batch (data, stream bytes and offset: S1) is written on writer_'s thread
  // while the loop runs the next group, whose view reads the group in flight's records
  // through a chain (Keyspace::chain_after): its commands may run meanwhile if they touch
  // only the records of the keys they name (may_run_chained). Its clients are answered,
  // and the record cache, counts, offset and feeds published, when it is drained: before any
  // other command, before the next commit, and whenever the pipeline has nothing else to do.
  struct InFlight {
    InFlight();
    rocksdb::WriteBatchWithIndex batch;
    ReplStream stream;
    std::optional<Keyspace> ks;
    std::vector<Job*> jobs;
    StagedOffset staged;
    bool active = false;    // handed over and not drained yet
    bool finished = false;  // its write returned `status`
    rocksdb::Status status;
  };
  // Whether the group `ks` holds may end with its commit in flight.
  bool may_hand_over(const Keyspace& ks);
  // With write-overlap on: whether the group writes too few entries to be handed over.
  bool too_small_to_hand_over(const Keyspace& ks);
  // Stages what `ks` holds for every job of the group and hands the batch over.
  void hand_over(std::optional<Keyspace>& ks, std::vector<Job*>& jobs);
  // Waits for the write in flight (if any) and publishes it, or fails its jobs. in_group: a
  // group is running, whose effects and stream were built after the failed one's: it is
  // failed too (chained_failure_, taken by its commit).
  boost::asio::awaitable<void> drain(bool in_group);
  // Whether a command of `job` (its row: `spec`) may run before the write in flight is
  // drained, on the view chained on it.
  bool may_run_chained(const Job& job, const CommandSpec* spec) const;

  Node& node_;
  std::deque<Job*> queue_;
  std::vector<std::function<void(Keyspace&)>> tasks_;
  std::vector<std::function<void()>> quiescent_;
  boost::asio::steady_timer wake_;
  rocksdb::WriteBatchWithIndex batch_;
  ReplStream stream_;
  bool stopping_ = false;
  bool write_off_loop_ = false;                    // the next write runs on the blocking pool
  bool sync_due_ = false;                          // the next write syncs the WAL (everysec)
  bool unsynced_ = false;                          // writes since the last synced one
  std::optional<Keyspace::SavePoint> master_txn_;  // an open MULTI from our master
  int master_stream_db_ = -1;  // db of our master's client after this group (replicas)
  bool running_ = false;
  bool clients_paused_ = false;
  std::vector<boost::asio::steady_timer*> paused_;  // writers held by the pause
  std::function<void()> on_idle_;
  std::function<void(uint64_t, std::string_view)> on_commit_;
  ExecRunner* exec_runner_ = nullptr;
  InFlight inflight_;
  boost::asio::steady_timer inflight_done_;
  // The thread that writes handed-over batches: its own, so a write never queues behind
  // heavy jobs and reads on the blocking pool.
  boost::asio::thread_pool writer_{1};
  std::string chained_failure_;
  // prefetch_records' and prefetch_elements' buffers, kept from group to group.
  std::string prefetch_key_;
  std::string prefetch_prefix_;
  std::vector<uint64_t> prefetch_hashes_;
  // Groups left before a long queue is split again: a split whose second half had to wait
  // for the first (they share keys: one hot key) only made two groups of one.
  size_t split_pause_ = 0;
};

}  // namespace basalt::core
