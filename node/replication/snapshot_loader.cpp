// node/replication/snapshot_loader.cpp — the replica side of a full sync: reads the
// master's snapshot frames, reassembles the entry stream (entries of any size up to the
// limits), writes it into a staged generation off the event loop (storage::SnapshotLoad),
// checks the trailer and switches to the new dataset atomically. Every refusal is logged with its
// reason.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/replication/link_io.h"
#include "node/replication/replica_link.h"
#include "node/replication/snapshot_format.h"
#include "node/util/log.h"
#include "storage/codec.h"
#include "storage/divergent_tail.h"
#include "storage/meta.h"
#include "storage/snapshot.h"

namespace basalt::replication {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Room for the encoding around user bytes: a record header, a sub-key's key + version.
constexpr uint64_t kEncodingSlack = 64 * 1024;

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

bool ReplicaLink::refuse_sync(const std::string& why) {
  info_.last_error = why;
  log::error("full sync from the master refused: {}", why);
  return false;
}

asio::awaitable<bool> ReplicaLink::keep_divergent_tail(uint64_t first, uint64_t last) {
  storage::DivergentTail tail;
  std::string error, replid = node_.repl().replid;
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

asio::awaitable<bool> ReplicaLink::load_snapshot(LinkIo& io, const std::string& replid,
                                                 uint64_t offset, milliseconds timeout,
                                                 uint64_t epoch) {
  auto interrupted = [&](const char* what) {
    info_.last_error = std::string("full sync interrupted: ") + what;
    log::warn("{} (no data from the master for {} ms, or the connection closed; {} bytes read)",
              info_.last_error, timeout.count(), info_.sync_read_bytes);
    return false;
  };
  std::string line, error;
  // (The results of co_await are named before they are tested: GCC 12 miscompiles
  // `if (!co_await ...)` in loops.)
  bool got = co_await read_line(io, line, timeout);
  if (!got) co_return interrupted("no snapshot preamble");
  int stream_db = 0;
  int64_t shared_until = -1;
  if (!parse_preamble(line, stream_db, error, &shared_until)) co_return refuse_sync(error);

  auto& engine = node_.engine();
  storage::Engine::Generation staged;
  if (!engine.create_generation(staged, error)) co_return refuse_sync(error);
  bool activated = false;
  struct DropStaged {
    storage::Engine& engine;
    storage::Engine::Generation& staged;
    bool& activated;
    std::weak_ptr<int> alive;
    ~DropStaged() {
      if (!activated && !alive.expired()) engine.drop_generation(staged);
    }
  } drop_staged{engine, staged, activated, node_.lifetime()};

  info_.state = "sync";
  info_.sync_in_progress = true;
  info_.sync_read_bytes = 0;
  info_.sync_entries = 0;
  storage::SnapshotLoad load(engine, staged, node_.keyspace().key_counts.size());
  uint64_t running = 0, entries = 0;
  auto limit = static_cast<uint64_t>(node_.config().proto_max_bulk_len);
  EntryReader reader(2 * limit + kEncodingSlack, limit + kEncodingSlack);
  std::string header, payload;
  std::vector<Entry> parsed;
  for (;;) {
    got = co_await read_exact(io, kFrameHeader, header, timeout);
    if (!got) co_return interrupted("the snapshot stream ended early");
    info_.last_io_ms = core::unix_time_ms();
    uint32_t len = 0;
    uint64_t checksum = 0;
    if (!parse_frame_header(header, len, checksum, error)) co_return refuse_sync(error);
    if (len == 0) break;
    got = co_await read_exact(io, len, payload, timeout);
    if (!got) co_return interrupted("the snapshot stream ended inside a frame");
    info_.sync_read_bytes += kFrameHeader + len;
    if (payload_checksum(payload) != checksum)
      co_return refuse_sync("snapshot frame checksum mismatch");
    running = fold_checksum(running, checksum);
    reader.feed(payload);
    parsed.clear();
    for (Entry e;;) {
      auto r = reader.next(e, error);
      if (r == EntryReader::Result::NeedMore) break;
      if (r == EntryReader::Result::Error) co_return refuse_sync(error);
      parsed.push_back(e);
    }
    if (parsed.empty()) continue;  // the middle of a large entry
    bool ok = co_await asio::co_spawn(
        node_.blocking_pool(),
        [&]() -> asio::awaitable<bool> { co_return write_entries(load, parsed); },
        asio::use_awaitable);
    if (!ok) co_return refuse_sync("writing the snapshot to the staging area failed");
    entries += parsed.size();
    info_.sync_entries = entries;
    if (epoch != epoch_) co_return false;
  }
  std::string trailer;
  got = co_await read_exact(io, kTrailer, trailer, timeout);
  if (!got) co_return interrupted("the snapshot trailer is missing");
  if (reader.partial()) co_return refuse_sync("the snapshot ended inside an entry (truncated)");
  if (storage::get_u64_be(trailer.data()) != entries ||
      storage::get_u64_be(trailer.data() + 8) != running)
    co_return refuse_sync("snapshot incomplete or corrupted (entry count or checksum mismatch)");

  // Safety: a master with no data and no shared history (e.g. it lost its data directory)
  // must not wipe a replica that holds data, unless the operator says so.
  auto& repl = node_.repl();
  uint64_t our_keys = 0;
  for (auto n : node_.keyspace().key_counts) our_keys += n;
  // (A master that announced itself was checked before the transfer, sync_guard.h: this
  // catches one that did not, or that lost its data in between.)
  bool shared_history =
      info_.master_shared_history || replid == repl.replid || replid == repl.replid2;
  if (entries == 0 && our_keys > 0 && !shared_history &&
      !node_.config().replica_allow_empty_master_sync) {
    refuse_link("refused a full sync from an empty master with no shared history; keeping " +
                    std::to_string(our_keys) +
                    " keys (CONFIG SET replica-allow-empty-master-sync yes to accept it)",
                true);
    co_return false;
  }

  bool flushed = co_await asio::co_spawn(
      node_.blocking_pool(), [&]() -> asio::awaitable<bool> { co_return load.flush(); },
      asio::use_awaitable);
  if (!flushed) co_return refuse_sync("flushing the snapshot failed");
  if (epoch != epoch_) co_return false;

  // Divergent writes are kept, not thrown away: our bytes after the branch point (writes
  // this node took that the new master never had) go to a file before the switch empties
  // the log. A sync that can't keep them does not happen.
  if (shared_until >= 0 && repl.master_repl_offset > static_cast<uint64_t>(shared_until)) {
    bool kept = co_await keep_divergent_tail(static_cast<uint64_t>(shared_until) + 1,
                                             repl.master_repl_offset);
    if (!kept) co_return false;
    if (epoch != epoch_) co_return false;
  }

  // Switch: new generation, new history, empty log at the snapshot offset, in one batch,
  // between two write groups.
  rocksdb::Status status;
  co_await node_.pipeline().run_at_quiescent_point([&] {
    storage::ReplMeta meta = node_.repl_state().after_full_sync(replid, offset, stream_db);
    rocksdb::WriteBatch batch;
    storage::put_repl_meta(batch, engine, meta);
    load.put_counts(batch);
    batch.DeleteRange(engine.log_cf(), storage::log_key(0), storage::log_key(UINT64_MAX));
    status = engine.activate_generation(staged, batch);
    node_.keyspace().record_cache.clear();  // it described the dataset just replaced
    if (status.ok()) {
      activated = true;
      node_.repl_state().adopt(meta);
      node_.keyspace().key_counts = load.key_counts();
      node_.keyspace().expire_counts = load.expire_counts();
    }
  });
  if (!status.ok())
    co_return refuse_sync("switching to the new dataset failed: " + status.ToString());
  info_.refused_empty_master = false;
  info_.refused_reason.clear();
  log::info("full sync done: {} entries loaded, offset {}", entries, offset);
  co_return true;
}

}  // namespace basalt::replication
