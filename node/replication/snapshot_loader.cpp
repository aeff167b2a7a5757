// node/replication/snapshot_loader.cpp — the replica side of a full sync, in steps: read the
// master's snapshot frames and reassemble the entry stream (entries of any size up to the
// limits), stage the entries into a new generation off the event loop (storage::SnapshotLoad),
// check the trailer; then the safety check (no empty master without shared history replaces
// our data; writes past the branch point are kept in a file), and the switch: the new
// generation and the new history (ReplState) in one batch. Every refusal is logged with its
// reason.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/replication/link_io.h"
#include "node/replication/replica_link.h"
#include "node/replication/snapshot_format.h"
#include "node/util/log.h"
#include "storage/codec.h"
#include "storage/divergent_tail.h"
#include "storage/function_store.h"
#include "storage/meta.h"
#include "storage/snapshot.h"

namespace basalt::replication {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Room for the encoding around user bytes: a record header, a sub-key's key + version.
constexpr uint64_t kEncodingSlack = 64 * 1024;
// About what the record cache charges per entry beyond its key and record bytes.
constexpr uint64_t kWarmEntryOverhead = 176;

// Puts `entries` into the staged generation (see storage::SnapshotLoad).
bool write_entries(storage::SnapshotLoad& load, const std::vector<Entry>& entries) {
  for (const auto& e : entries) {
    auto family =
        e.family == Family::Sub ? storage::SnapshotFamily::Sub : storage::SnapshotFamily::Data;
    load.add(family, e.key, e.value);
  }
  return load.write();
}

}  // namespace

// One full sync in progress: what the master announced, the staged generation the snapshot
// goes into (dropped unless it became the dataset), and what was read so far.
struct ReplicaLink::FullSync {
  FullSync(core::Node& node, const std::string& id, uint64_t at, uint64_t limit)
      : replid(id),
        offset(at),
        engine(node.engine()),
        alive(node.lifetime()),
        reader(2 * limit + kEncodingSlack, limit + kEncodingSlack) {}
  ~FullSync() {
    load.reset();
    if (staged_open && !activated && !alive.expired()) engine.drop_generation(staged);
  }
  FullSync(const FullSync&) = delete;
  FullSync& operator=(const FullSync&) = delete;

  const std::string replid;  // the master's history and the snapshot's offset
  const uint64_t offset;
  int stream_db = 0;          // from the preamble
  int64_t shared_until = -1;  // >= 0: where our history branched from the master's
  storage::Engine& engine;
  storage::Engine::Generation staged;
  bool staged_open = false;
  bool activated = false;
  std::weak_ptr<int> alive;
  std::optional<storage::SnapshotLoad> load;
  EntryReader reader;
  std::string payload;
  std::vector<Entry> parsed;  // the entries the last frame completed
  uint64_t running = 0;       // checksum of the payloads so far
  uint64_t entries = 0;
  // Top-level records kept for the record cache (up to its budget): once the snapshot is the
  // dataset they are its committed state, so the first write to each key that follows
  // finds its record in memory instead of RocksDB's memtables and tables (as on the master,
  // whose cache the same keys' writes filled).
  std::vector<std::pair<std::string, std::string>> warm;
  uint64_t warm_bytes = 0;
};

bool ReplicaLink::refuse_sync(const std::string& why) {
  info_.last_error = why;
  log::error("full sync from the master refused: {}", why);
  return false;
}

bool ReplicaLink::sync_interrupted(const char* what, milliseconds timeout) {
  info_.last_error = std::string("full sync interrupted: ") + what;
  log::warn("{} (no data from the master for {} ms, or the connection closed; {} bytes read)",
            info_.last_error, timeout.count(), info_.sync_read_bytes);
  return false;
}

asio::awaitable<bool> ReplicaLink::load_snapshot(LinkIo& io, const std::string& replid,
                                                 uint64_t offset, milliseconds timeout,
                                                 uint64_t epoch) {
  auto limit = static_cast<uint64_t>(node_.config().proto_max_bulk_len);
  FullSync sync(node_, replid, offset, limit);
  // (The results of co_await are named before they are tested: GCC 12 miscompiles
  // `if (!co_await ...)` in loops.)
  bool ok = co_await read_snapshot(io, sync, timeout, epoch);
  if (!ok) co_return false;
  if (!may_replace_dataset(sync)) co_return false;
  ok = co_await flush_staged(sync);
  if (!ok || epoch != epoch_) co_return false;
  ok = co_await keep_divergent_writes(sync);
  if (!ok || epoch != epoch_) co_return false;
  ok = co_await switch_to_snapshot(sync);
  co_return ok;
}

// ---- read: the preamble, the frames (staged as they come), the trailer

asio::awaitable<bool> ReplicaLink::read_snapshot(LinkIo& io, FullSync& sync, milliseconds timeout,
                                                 uint64_t epoch) {
  std::string line, error;
  bool got = co_await read_line(io, line, timeout);
  if (!got) co_return sync_interrupted("no snapshot preamble", timeout);
  if (!parse_preamble(line, sync.stream_db, error, &sync.shared_until))
    co_return refuse_sync(error);
  if (!open_staging(sync)) co_return false;
  for (bool last = false;;) {
    got = co_await read_frame(io, sync, timeout, last);
    if (!got) co_return false;
    if (last) break;
    if (sync.parsed.empty()) continue;  // the middle of a large entry
    got = co_await stage_entries(sync);
    if (!got) co_return false;
    if (epoch != epoch_) co_return false;
  }
  got = co_await read_trailer(io, sync, timeout);
  co_return got;
}

// Reads one frame and parses the entries it completes into sync.parsed; `last`: it was the
// end frame.
asio::awaitable<bool> ReplicaLink::read_frame(LinkIo& io, FullSync& sync, milliseconds timeout,
                                              bool& last) {
  std::string header, error;
  bool got = co_await read_exact(io, kFrameHeader, header, timeout);
  if (!got) co_return sync_interrupted("the snapshot stream ended early", timeout);
  info_.last_io_ms = core::unix_time_ms();
  uint32_t len = 0;
  uint64_t checksum = 0;
  if (!parse_frame_header(header, len, checksum, error)) co_return refuse_sync(error);
  last = len == 0;
  if (last) co_return true;
  got = co_await read_exact(io, len, sync.payload, timeout);
  if (!got) co_return sync_interrupted("the snapshot stream ended inside a frame", timeout);
  info_.sync_read_bytes += kFrameHeader + len;
  if (payload_checksum(sync.payload) != checksum)
    co_return refuse_sync("snapshot frame checksum mismatch");
  sync.running = fold_checksum(sync.running, checksum);
  sync.reader.feed(sync.payload);
  sync.parsed.clear();
  for (Entry e;;) {
    auto r = sync.reader.next(e, error);
    if (r == EntryReader::Result::NeedMore) break;
    if (r == EntryReader::Result::Error) co_return refuse_sync(error);
    sync.parsed.push_back(e);
  }
  co_return true;
}

asio::awaitable<bool> ReplicaLink::read_trailer(LinkIo& io, FullSync& sync, milliseconds timeout) {
  std::string trailer;
  bool got = co_await read_exact(io, kTrailer, trailer, timeout);
  if (!got) co_return sync_interrupted("the snapshot trailer is missing", timeout);
  if (sync.reader.partial())
    co_return refuse_sync("the snapshot ended inside an entry (truncated)");
  if (storage::get_u64_be(trailer.data()) != sync.entries ||
      storage::get_u64_be(trailer.data() + 8) != sync.running)
    co_return refuse_sync("snapshot incomplete or corrupted (entry count or checksum mismatch)");
  co_return true;
}

// ---- stage: a new generation of column families, written off the event loop

bool ReplicaLink::open_staging(FullSync& sync) {
  std::string error;
  if (!sync.engine.create_generation(sync.staged, error)) return refuse_sync(error);
  sync.staged_open = true;
  info_.state = "sync";
  info_.sync_in_progress = true;
  info_.sync_read_bytes = 0;
  info_.sync_entries = 0;
  sync.load.emplace(sync.engine, sync.staged, node_.keyspace().key_counts.size());
  return true;
}

asio::awaitable<bool> ReplicaLink::stage_entries(FullSync& sync) {
  bool ok = co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<bool> { co_return write_entries(*sync.load, sync.parsed); },
      asio::use_awaitable);
  if (!ok) co_return refuse_sync("writing the snapshot to the staging area failed");
  const uint64_t budget = node_.keyspace().record_cache.enabled()
                              ? static_cast<uint64_t>(node_.config().record_cache_size)
                              : 0;
  for (const auto& e : sync.parsed) {
    if (sync.warm_bytes >= budget) break;
    uint16_t db = 0;
    std::string_view user_key;
    if (e.family != Family::Data || e.value.size() > core::RecordCache::kMaxValueBytes ||
        !storage::decode_data_key(e.key, db, user_key) || storage::is_function_library_key(e.key))
      continue;
    sync.warm.emplace_back(e.key, e.value);
    sync.warm_bytes += e.key.size() + e.value.size() + kWarmEntryOverhead;
  }
  sync.entries += sync.parsed.size();
  info_.sync_entries = sync.entries;
  co_return true;
}

asio::awaitable<bool> ReplicaLink::flush_staged(FullSync& sync) {
  bool flushed = co_await asio::co_spawn(
      node_.blocking_pool(), [&]() -> asio::awaitable<bool> { co_return sync.load->flush(); },
      asio::use_awaitable);
  if (!flushed) co_return refuse_sync("flushing the snapshot failed");
  co_return true;
}

// ---- safety: what the switch would throw away

bool ReplicaLink::may_replace_dataset(const FullSync& sync) {
  // A master with no data and no shared history (e.g. it lost its data directory) must not
  // wipe a replica that holds data, unless the operator says so.
  auto& repl = node_.repl();
  uint64_t our_keys = 0;
  for (auto n : node_.keyspace().key_counts) our_keys += n;
  // (A master that announced itself was checked before the transfer, sync_guard.h: this
  // catches one that did not, or that lost its data in between.)
  bool shared_history =
      info_.master_shared_history || sync.replid == repl.replid || sync.replid == repl.replid2;
  if (sync.entries == 0 && our_keys > 0 && !shared_history &&
      !node_.config().replica_allow_empty_master_sync) {
    refuse_link("refused a full sync from an empty master with no shared history; keeping " +
                    std::to_string(our_keys) +
                    " keys (CONFIG SET replica-allow-empty-master-sync yes to accept it)",
                true);
    return false;
  }
  return true;
}

// Divergent writes are kept, not thrown away: our bytes after the branch point (writes this
// node took that the new master never had) go to a file before the switch empties the log.
// A sync that can't keep them does not happen.
asio::awaitable<bool> ReplicaLink::keep_divergent_writes(const FullSync& sync) {
  const auto& repl = node_.repl();
  if (sync.shared_until < 0 || repl.master_repl_offset <= static_cast<uint64_t>(sync.shared_until))
    co_return true;
  uint64_t first = static_cast<uint64_t>(sync.shared_until) + 1, last = repl.master_repl_offset;
  storage::DivergentTail tail;
  std::string error, replid = repl.replid;
  bool saved = co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<bool> {
        co_return storage::save_log_range(node_.repl_log(), first, last, node_.config().dir, replid,
                                          tail, error);
      },
      asio::use_awaitable);
  if (!saved) {
    co_return refuse_sync("can't keep the " + std::to_string(last - first + 1) +
                          " bytes of writes after the branch point at offset " +
                          std::to_string(first - 1) + ": " + error);
  }
  info_.divergent_file = tail.file.string();
  ++info_.divergent_saves;
  log::warn(
      "this node took writes the new master never had (offsets {}..{} of history {}{}): "
      "kept in {} (RESP; inspect with cat -v, replay with redis-cli --pipe)",
      tail.from, tail.to, replid, tail.complete ? "" : ", the start was already trimmed",
      info_.divergent_file);
  co_return true;
}

// ---- switch: new generation, new history, empty log at the snapshot offset, in one batch,
// between two write groups

asio::awaitable<bool> ReplicaLink::switch_to_snapshot(FullSync& sync) {
  rocksdb::Status status;
  // No heavy read may be reading the column families the switch destroys.
  co_await node_.heavy_reads().close_and_drain();
  co_await node_.pipeline().run_at_quiescent_point([&] {
    storage::ReplMeta meta =
        node_.repl_state().after_full_sync(sync.replid, sync.offset, sync.stream_db);
    rocksdb::WriteBatch batch;
    storage::put_repl_meta(batch, sync.engine, meta);
    sync.load->put_counts(batch);
    batch.DeleteRange(sync.engine.log_cf(), storage::log_key(0), storage::log_key(UINT64_MAX));
    status = sync.engine.activate_generation(sync.staged, batch);
    auto& cache = node_.keyspace().record_cache;
    cache.clear();  // it described the dataset just replaced
    node_.keyspace().element_cache.clear();
    node_.keyspace().pop_pools.clear();
    if (status.ok()) {
      for (const auto& [key, raw] : sync.warm) cache.put_if_room(key, raw, true);
      sync.activated = true;
      node_.repl_state().adopt(meta);
      node_.keyspace().key_counts = sync.load->key_counts();
      node_.keyspace().expire_counts = sync.load->expire_counts();
      node_.keyspace().dataset_bytes = sync.load->dataset_bytes();
      node_.dataset_replaced();
    }
  });
  node_.heavy_reads().reopen();
  if (!status.ok())
    co_return refuse_sync("switching to the new dataset failed: " + status.ToString());
  info_.refused_empty_master = false;
  info_.refused_reason.clear();
  log::info("full sync done: {} entries loaded, offset {}", sync.entries, sync.offset);
  co_return true;
}

}  // namespace basalt::replication
