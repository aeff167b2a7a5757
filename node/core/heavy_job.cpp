// node/core/heavy_job.cpp — see heavy_job.h. Also the write pipeline's part that runs one
// (WritePipeline::run_heavy).
#include "node/core/heavy_job.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "node/core/acl_categories.h"
#include "node/core/blocking.h"
#include "node/core/command_runner.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/record.h"

namespace basalt::core {

namespace asio = boost::asio;

uint64_t input_elements(KeyspaceShared& shared, uint64_t now_ms, uint16_t db,
                        const CommandSpec& spec, std::span<const std::string_view> argv) {
  Keyspace view(shared, now_ms);
  uint64_t total = 0;
  for (size_t index : acl::key_indexes(spec, argv)) {
    Lookup l;
    view.lookup(db, argv[index], l);
    if (!l.live) continue;
    storage::CollectionMeta meta;
    if (l.record.type != storage::ValueType::String &&
        storage::CollectionMeta::decode(l.record.payload, meta))
      total += meta.size;
    else
      total += 1;
  }
  return total;
}

HeavyView::HeavyView(KeyspaceShared& shared, const ReplStream& stream, uint64_t now_ms,
                     bool propagate)
    : batch_(rocksdb::BytewiseComparator(), 0, true), stream_(stream) {
  stream_.clear();  // keeps the db the stream selected last
  own_.engine = shared.engine;
  own_.key_counts = shared.key_counts;
  own_.expire_counts = shared.expire_counts;
  own_.dataset_bytes = shared.dataset_bytes;
  own_.last_version = shared.last_version;
  own_.active_expiry = shared.active_expiry;
  own_.expire_cycle = shared.expire_cycle;
  // No record cache, access times, WATCH registry or expired-read hook: those are the
  // loop's, and publish() applies the view's effects to them.
  ks_.emplace(own_, now_ms, batch_, stream_);
  ks_->set_propagation(propagate);
  ks_->set_off_loop(true);
}

void HeavyView::publish(KeyspaceShared& shared, BlockingRegistry& blocking) {
  shared.last_version = std::max(shared.last_version, own_.last_version);
  shared.expired_keys += own_.expired_keys;
  shared.keyspace_hits += own_.keyspace_hits;
  shared.keyspace_misses += own_.keyspace_misses;
  auto& engine = *shared.engine;
  std::string raw;
  bool listed = ks_->for_each_written([&](std::string_view encoded) {
    uint16_t db;
    std::string_view key;
    if (!storage::decode_data_key(encoded, db, key)) return;
    // The committed state (the job's batch may have been rolled back in part): the pipeline
    // is suspended, so nothing else wrote the key since. A few keys per job.
    rocksdb::Status s = engine.db()->Get(rocksdb::ReadOptions(), engine.data_cf(), encoded, &raw);
    storage::RecordView record;
    bool present = s.ok() && storage::decode_record(raw, record);
    if (shared.record_cache.contains(encoded)) {
      if (present)
        shared.record_cache.put_present(encoded, raw);
      else if (s.IsNotFound())
        shared.record_cache.put_absent(encoded);
      else
        shared.record_cache.clear();  // unreadable: no cached state may outlive the write
    }
    if (shared.watches && !shared.watches->empty()) shared.watches->touch(db, key, false);
    if (shared.access.enabled()) {
      if (present)
        shared.access.touch(encoded, ks_->now_ms());
      else
        shared.access.forget(encoded);
    }
    // Clients blocked on a list or sorted set the job wrote (ZUNIONSTORE, RENAME, ...).
    if (present &&
        (record.type == storage::ValueType::List || record.type == storage::ValueType::ZSet))
      blocking.signal_key(db, key);
  });
  // A rolled-back job keeps no list of what it wrote: no cached record may outlive it.
  if (!listed) shared.record_cache.clear();
  // Nor any cached element: a job writes many (that is what makes it heavy), and its view
  // keeps none of the loop's caches current.
  shared.element_cache.clear();
}

bool WritePipeline::heavy_candidate(const Job& job, size_t i, const CommandSpec* spec) {
  // Inside MULTI it is queued; its EXEC may be a heavy job (heavy_exec_candidate).
  if (!spec || !spec->has(kMayBeHeavy) || job.client->in_multi) return false;
  // Our master's stream: not inside its MULTI (the transaction's save point lives in the
  // group's batch), and only with the command's bytes at hand to log.
  if (job.client->is_master_link && (master_txn_ || i >= job.batch->raw.size())) return false;
  auto threshold = node_.config().heavy_command_threshold;
  if (threshold <= 0) return false;
  auto argv = job.batch->command(i);
  // The arity gate runs later; key positions past the end are skipped by key_indexes.
  return input_elements(node_.keyspace(), unix_time_ms(), job.client->db, *spec, argv) >=
         static_cast<uint64_t>(threshold);
}

asio::awaitable<bool> WritePipeline::run_heavy(std::optional<Keyspace>& ks, std::vector<Job*>& jobs,
                                               size_t j, size_t i, const CommandSpec* spec,
                                               std::string& error, bool& ran) {
  Job& job = *jobs[j];
  ran = false;
  auto& runner = node_.command_runner();
  auto argv = job.batch->command(i);
  // What the group holds so far is committed first: the job reads committed data only.
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
  }
  size_t reply_start = job.out->size();
  protocol::ReplyBuilder reply(*job.out);
  bool admitted = runner.admit(*job.client, *ks, reply, spec, argv);
  ++job.uncommitted;
  ran = true;  // answered from here on (a failed commit rewrites the answer)
  if (!admitted) {
    runner.account(*job.client, reply, reply_start, spec, argv, false, 0);
    co_return true;
  }
  // Eviction may have written: that commits before the job too. The command is counted
  // (not answered yet), so a failed commit answers it with the error.
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
    ++job.uncommitted;  // the command, still to be answered
  }
  ++node_.stats().heavy_jobs;
  const bool from_master = job.client->is_master_link;
  HeavyView view(node_.keyspace(), stream_, unix_time_ms(), !node_.is_replica() && !from_master);
  view.ks().set_out_of_memory(ks->out_of_memory());
  view.ks().set_master_stream_mode(from_master);
  std::string out;
  uint64_t read_errors = 0, usec = 0;
  Client& client = *job.client;
  co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<void> {
        protocol::ReplyBuilder job_reply(out);
        usec = runner.invoke(client, view.ks(), job_reply, *spec, argv, read_errors);
        co_return;
      },
      asio::use_awaitable);
  node_.stats().storage_read_errors += read_errors;
  job.out->append(out);
  runner.account(client, reply, reply_start, spec, argv, true, usec);
  if (from_master) {
    if (!out.empty() && out[0] == '-') {
      // As run_master_command: a command of the stream that fails here means this dataset is
      // not the master's; nothing of it is logged and the stream stops before it.
      stop_master_stream(job, argv[0], out);
      co_return true;
    }
    view.stream().append_raw(job.batch->raw[i]);
    master_stream_db_ = client.db;
  }
  bool committed = co_await commit_view(view, ks, jobs, j, error);
  co_return committed;
}

void WritePipeline::reset_group(std::optional<Keyspace>& ks) {
  batch_.Clear();
  stream_.clear();
  ks.emplace(node_.keyspace(), unix_time_ms(), batch_, stream_);
  ks->chain_after(&inflight_.ks);
}

asio::awaitable<bool> WritePipeline::commit_held(std::optional<Keyspace>& ks,
                                                 std::vector<Job*>& jobs, size_t j,
                                                 std::string& error) {
  bool committed = co_await commit_jobs(*ks, jobs, j + 1, error);
  if (committed) reset_group(ks);
  co_return committed;
}

asio::awaitable<bool> WritePipeline::commit_view(HeavyView& view, std::optional<Keyspace>& ks,
                                                 std::vector<Job*>& jobs, size_t j,
                                                 std::string& error) {
  std::swap(batch_, view.batch());
  std::swap(stream_, view.stream());
  write_off_loop_ = true;
  bool committed = co_await commit_jobs(view.ks(), jobs, j + 1, error);
  write_off_loop_ = false;
  if (committed) view.publish(node_.keyspace(), node_.blocking());
  std::swap(batch_, view.batch());  // the view frees the job's batch
  reset_group(ks);
  co_return committed;
}

}  // namespace basalt::core
