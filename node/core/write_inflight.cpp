// node/core/write_inflight.cpp — the part of WritePipeline (write_pipeline.h) that keeps one
// commit in flight: a group's batch written on the writer thread (the second core) while the
// event loop runs the next group, whose view is chained on the one in flight (it reads that
// group's records and elements before the caches and the store: Keyspace::chain_after), so
// commands on the same keys need not wait; commands that touch more than their own keys'
// records (barriers, transactions, scripts, blocking and heavy commands) wait for the drain
// that publishes it (replies, record cache, counts, offset, replica feeds) or fails its jobs,
// and the next group with them.
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/core/acl_categories.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"

namespace basalt::core {

namespace asio = boost::asio;

namespace {
// A group smaller than this is written on the loop: handing it over costs more than it saves.
constexpr size_t kMinHandOverEntries = 16;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Commands without keys that touch no data: they may run before the drain.
bool touches_no_data(std::string_view name) {
  return name == "ping" || name == "echo" || name == "select";
}

// Commands whose key positions don't name every key they read or write: SORT's BY and GET
// patterns, MOVE's and COPY's other database.
bool names_keys_elsewhere(std::string_view name) {
  return name == "sort" || name == "sort_ro" || name == "move" || name == "copy";
}
}  // namespace

WritePipeline::InFlight::InFlight() : batch(rocksdb::BytewiseComparator(), 0, true) {}

bool WritePipeline::may_hand_over(const Keyspace& ks) {
  const auto* wb = batch_.GetWriteBatch();
  // Synced writes go to the pool and are awaited anyway; a range deletion can't be told
  // apart by key; eviction deletes keys no command names.
  // After a group had to wait for the one in flight (split_pause_), the next ones write on
  // the loop: handing them over would only add the thread hand-off to each.
  return node_.config().write_overlap && split_pause_ == 0 && !sync_due_ && !write_off_loop_ &&
         !stopping_ && node_.engine().wal_sync() != storage::WalSync::Always &&
         node_.config().maxmemory == 0 && !wb->HasDeleteRange() && !too_small_to_hand_over(ks) &&
         node_.storage_health().writable();
}

bool WritePipeline::too_small_to_hand_over(const Keyspace& ks) {
  return node_.config().write_overlap &&
         batch_.GetWriteBatch()->Count() + ks.written_count() < kMinHandOverEntries;
}

void WritePipeline::hand_over(std::optional<Keyspace>& ks, std::vector<Job*>& jobs) {
  master_txn_.reset();  // a commit ends the batch its save point lived in
  StagedOffset staged = stage_group(*ks);
  // The group's batch and stream go in flight; the next group starts on fresh ones, its
  // stream with the database the handed-over stream left selected.
  std::swap(batch_, inflight_.batch);
  std::swap(stream_, inflight_.stream);
  stream_.truncate(0, inflight_.stream.selected_db());
  inflight_.ks.emplace(std::move(*ks));
  inflight_.ks->chain_after(nullptr);  // (drained before it was handed over)
  ks.reset();
  inflight_.jobs.assign(jobs.begin(), jobs.end());
  ++node_.stats().write_groups_in_flight;
  inflight_.staged = staged;
  inflight_.active = true;
  inflight_.finished = false;
  // Read-only views keep reading the published state (taken before the write starts).
  pin_published_state();
  auto* engine = &node_.engine();
  auto* wb = inflight_.batch.GetWriteBatch();
  auto& io = node_.io();
  unsynced_ = true;  // (everysec: the next sync covers it)
  asio::post(writer_, [this, engine, wb, &io] {
    rocksdb::Status s = engine->write(wb);
    asio::post(io, [this, s] {
      inflight_.status = s;
      inflight_.finished = true;
      inflight_done_.cancel();
      wake_.cancel();  // (an idle pipeline publishes it at once)
    });
  });
}

asio::awaitable<void> WritePipeline::drain(bool in_group) {
  if (!inflight_.active) co_return;
  while (!inflight_.finished) co_await inflight_done_.async_wait(kNoThrow);
  inflight_.active = false;
  const rocksdb::Status& s = inflight_.status;
  if (s.ok()) {
    publish_commit(*inflight_.ks, inflight_.staged, inflight_.stream);
  } else {
    record_write_failure(s);
    std::string error = s.ToString();
    forget_unwritten_group();
    for (Job* job : inflight_.jobs) fail_uncommitted(*job, error);
    if (in_group && chained_failure_.empty()) chained_failure_ = error;
  }
  unpin_published_state();
  for (Job* job : inflight_.jobs) finish(*job);
  inflight_.jobs.clear();
  inflight_.ks.reset();
  inflight_.batch.Clear();
  inflight_.stream.clear();
}

void WritePipeline::pin_published_state() {
  rocksdb::DB* db = node_.engine().db();
  auto& shared = node_.keyspace();
  shared.published_snapshot.reset(db->GetSnapshot(),
                                  [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  shared.published_reads.snapshot = shared.published_snapshot.get();
}

void WritePipeline::unpin_published_state() {
  auto& shared = node_.keyspace();
  shared.published_reads.snapshot = nullptr;
  shared.published_snapshot.reset();
}

bool WritePipeline::may_run_chained(const Job& job, const CommandSpec* spec) const {
  if (!spec) return false;
  if (spec->has(kBarrier | kExecGroup | kMayBlock | kMayBeHeavy | kMayBeHeavyRead)) return false;
  if (spec->acl_categories & kCatScripting) return false;
  const Client& client = *job.client;
  if (!client.multi_queue.empty() || client.in_multi) return false;
  if (spec->keys.first <= 0 && spec->numkeys_index <= 0) return touches_no_data(spec->name);
  // Its keys' records and elements, written by the group in flight or not, are read through
  // the chained view (Keyspace::chain_after).
  return !names_keys_elsewhere(spec->name);
}

}  // namespace basalt::core
