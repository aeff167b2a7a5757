// node/replication/master_link.cpp — the replica side: connect to the master, handshake
// (the master's announcement is judged in link_guard.cpp), PSYNC, load a full-sync snapshot into a
// staged generation (the old dataset stays served until the atomic switch), then apply the stream
// through the write pipeline.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <sstream>

#include "node/commands/command.h"
#include "node/core/command_batch.h"
#include "node/core/dispatch.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/numbers.h"
#include "node/protocol/request_parser.h"
#include "node/replication/link_io.h"
#include "node/replication/replication.h"
#include "node/replication/snapshot_format.h"
#include "node/util/log.h"
#include "storage/codec.h"
#include "storage/meta.h"
#include "storage/record.h"

namespace basalt::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using std::chrono::milliseconds;

namespace {

std::string command(std::initializer_list<std::string_view> args) {
  std::string out;
  protocol::append_multibulk(out, args);
  return out;
}

// Reads a line / exactly n bytes from the link, filling the buffer as needed.
asio::awaitable<bool> read_line(LinkIo& io, std::string& line, milliseconds timeout) {
  while (!io.take_line(line)) {
    bool ok = co_await io.fill(timeout);
    if (!ok) co_return false;
  }
  co_return true;
}

asio::awaitable<bool> read_exact(LinkIo& io, size_t n, std::string& out, milliseconds timeout) {
  while (!io.take(n, out)) {
    bool ok = co_await io.fill(timeout);
    if (!ok) co_return false;
  }
  co_return true;
}

uint64_t be64(const std::string& s, size_t at) {
  return storage::get_u64_be(s.data() + at);
}
uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

}  // namespace

asio::awaitable<void> Replication::link_loop(uint64_t epoch) {
  int backoff_ms = 100;
  int refused_backoff_ms = 0;  // grows while the master keeps being refused (sync_guard.h)
  while (epoch == link_epoch_ && node_.is_replica() && !node_.shutting_down() && !stopped_) {
    bool synced = false;
    uint64_t refusals_before = link_.refusals;
    try {
      synced = co_await run_link_once(epoch);
    } catch (const std::exception& e) {
      link_.last_error = e.what();
      log::warn("replication link error: {}", e.what());
    }
    link_socket_ = nullptr;
    if (link_.state == "connected") link_.link_down_since_ms = core::unix_time_ms();
    link_.state = "connect";
    link_.sync_in_progress = false;
    if (epoch != link_epoch_ || node_.shutting_down() || stopped_) break;
    int wait_ms;
    if (link_.refusals != refusals_before) {
      // Refused before any transfer: retrying soon would not change the answer; wait longer
      // each time (an operator override or a role change ends the wait at once).
      refused_backoff_ms =
          std::clamp(refused_backoff_ms * 2, kRefusedBackoffMinMs, kRefusedBackoffMaxMs);
      wait_ms = refused_backoff_ms;
      log::info("next attempt to sync with the master in {} ms", wait_ms);
    } else {
      refused_backoff_ms = 0;
      backoff_ms = synced ? 100 : std::min(backoff_ms * 2, 2000);
      wait_ms = backoff_ms;
    }
    asio::steady_timer timer(node_.io());
    timer.expires_after(milliseconds(wait_ms));
    retry_timer_ = &timer;
    co_await timer.async_wait(kNoThrow);
    if (retry_timer_ == &timer) retry_timer_ = nullptr;
  }
}

void Replication::retry_link_now() {
  if (retry_timer_) retry_timer_->cancel();
}

asio::awaitable<bool> Replication::run_link_once(uint64_t epoch) {
  auto& config = node_.config();
  auto& repl = node_.repl();
  const std::string host = repl.master_host;
  const int port = repl.master_port;
  milliseconds timeout(static_cast<int64_t>(config.repl_timeout) * 1000);

  link_.state = "connecting";
  tcp::socket socket(node_.io());
  {
    tcp::resolver resolver(node_.io());
    auto [rec, endpoints] = co_await resolver.async_resolve(host, std::to_string(port), kNoThrow);
    if (rec) {
      link_.last_error = "can't resolve " + host + ": " + rec.message();
      co_return false;
    }
    asio::steady_timer timer(node_.io());
    timer.expires_after(std::min(timeout, milliseconds(5000)));
    auto result =
        co_await (asio::async_connect(socket, endpoints, kNoThrow) || timer.async_wait(kNoThrow));
    if (result.index() != 0 || std::get<0>(std::get<0>(result))) {
      link_.last_error = "can't connect to master " + host + ":" + std::to_string(port);
      co_return false;
    }
  }
  socket.set_option(tcp::no_delay(true));
  link_socket_ = &socket;
  link_.state = "handshake";
  link_.last_io_ms = core::unix_time_ms();
  log::info("connecting to MASTER {}:{}", host, port);
  LinkIo io(socket);
  std::string line;

  // PING: any reply but an unexpected error means the master is there.
  const std::string ping = command({"PING"});
  if (!co_await io.send(ping) || !co_await read_line(io, line, timeout)) co_return false;
  if (!line.empty() && line[0] == '-' && line.rfind("-NOAUTH", 0) != 0 &&
      line.rfind("-NOPERM", 0) != 0 && line.rfind("-ERR operation not permitted", 0) != 0) {
    link_.last_error = "error reply to PING from master: " + line;
    co_return false;
  }
  if (!config.masterauth.empty()) {
    std::string auth = config.masteruser.empty()
                           ? command({"AUTH", config.masterauth})
                           : command({"AUTH", config.masteruser, config.masterauth});
    if (!co_await io.send(auth) || !co_await read_line(io, line, timeout)) co_return false;
    if (line.empty() || line[0] == '-') {
      link_.last_error = "unable to AUTH to MASTER: " + line;
      log::warn("{}", link_.last_error);
      co_return false;
    }
  }
  int announce_port = config.replica_announce_port ? config.replica_announce_port : config.port;
  const std::string listening =
      command({"REPLCONF", "listening-port", std::to_string(announce_port)});
  if (!co_await io.send(listening) || !co_await read_line(io, line, timeout)) co_return false;
  if (!config.replica_announce_ip.empty()) {
    const std::string ip = command({"REPLCONF", "ip-address", config.replica_announce_ip});
    if (!co_await io.send(ip) || !co_await read_line(io, line, timeout)) co_return false;
  }
  const std::string capa = command({"REPLCONF", "capa", "eof", "capa", "psync2"});
  if (!co_await io.send(capa) || !co_await read_line(io, line, timeout)) co_return false;
  // Our databases: a basalt master refuses us if it has more, else announces its dataset and
  // ids, and we decide before PSYNC whether we may follow it (link_guard.cpp).
  const std::string databases =
      command({"REPLCONF", "databases", std::to_string(config.databases)});
  if (!co_await io.send(databases) || !co_await read_line(io, line, timeout)) co_return false;
  if (!judge_master(line)) co_return false;

  // PSYNC with our own history: our log holds the same bytes at the same offsets.
  // "?" only for a node that never shared a history with anyone (a dataset synced at
  // offset 0 from an empty master still has one).
  bool no_history = repl.master_repl_offset == 0 && !repl.synced;
  std::string psync =
      no_history ? command({"PSYNC", "?", "-1"})
                 : command({"PSYNC", repl.replid, std::to_string(repl.master_repl_offset + 1)});
  if (!co_await io.send(psync)) co_return false;
  do {
    if (!co_await read_line(io, line, timeout)) co_return false;
  } while (line.empty());  // masters may send newlines while preparing
  if (epoch != link_epoch_) co_return false;

  if (line.rfind("+FULLRESYNC", 0) == 0) {
    std::string id;
    unsigned long long offset = 0;
    {
      std::istringstream words(line.substr(11));
      if (!(words >> id >> offset) || id.size() != 40) {
        link_.last_error = "bad FULLRESYNC reply: " + line;
        co_return false;
      }
    }
    log::info("full resync from master: {}:{}", id, offset);
    if (!co_await load_snapshot(io, id, offset, timeout, epoch)) co_return false;
  } else if (line.rfind("+CONTINUE", 0) == 0) {
    std::string new_id = line.size() > 10 ? line.substr(10) : "";
    if (!new_id.empty() && new_id != repl.replid) {
      // The master's history moved on (it was promoted): keep ours as the previous id.
      log::info("master replication id changed to {}", new_id);
      repl.replid2 = repl.replid;
      repl.second_replid_offset = static_cast<int64_t>(repl.master_repl_offset) + 1;
      repl.replid = new_id;
      persist_meta();
    }
    if (!repl.synced) {
      repl.synced = true;
      persist_meta();
    }
    log::info("partial resync with master accepted: continuing from offset {}",
              repl.master_repl_offset + 1);
  } else {
    link_.last_error = "unexpected reply to PSYNC: " + line;
    log::warn("{}", link_.last_error);
    co_return false;
  }

  link_.state = "connected";
  link_.sync_in_progress = false;
  link_.last_io_ms = core::unix_time_ms();
  link_.read_repl_offset = repl.master_repl_offset;
  master_client_->db = static_cast<uint16_t>(repl.stream_db);
  std::string rest = io.take_rest();
  // The handshake and any snapshot came through `io`; count them as Redis does.
  node_.stats().total_net_input_bytes += io.bytes_read() - rest.size();
  node_.stats().total_net_repl_input_bytes += io.bytes_read() - rest.size();
  co_await (apply_stream(socket, std::move(rest), timeout) || send_acks(socket));
  log::warn("connection with master lost");
  co_return true;
}

}  // namespace basalt::replication

namespace basalt::replication {

asio::awaitable<bool> Replication::load_snapshot(LinkIo& io, const std::string& replid,
                                                 uint64_t offset, milliseconds timeout,
                                                 uint64_t epoch) {
  std::string line;
  if (!co_await read_line(io, line, timeout)) co_return false;
  std::string preamble(kSnapshotPreamble.substr(0, kSnapshotPreamble.size() - 2));
  int stream_db = 0;
  if (line.rfind(preamble, 0) != 0) {
    link_.last_error = "the master sent a payload basalt can't load (is it a basalt node?)";
    log::warn("{}: '{}'", link_.last_error, line.substr(0, 64));
    co_return false;
  }
  if (line.size() > preamble.size() + 1) stream_db = std::atoi(line.c_str() + preamble.size() + 1);

  auto& engine = node_.engine();
  storage::Engine::Generation staged;
  std::string error;
  if (!engine.create_generation(staged, error)) {
    link_.last_error = error;
    co_return false;
  }
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

  link_.state = "sync";
  link_.sync_in_progress = true;
  link_.sync_read_bytes = 0;
  link_.sync_entries = 0;
  size_t databases = node_.keyspace().key_counts.size();
  std::vector<uint64_t> counts(databases, 0), expires(databases, 0);
  uint64_t running = 0, entries = 0;
  std::string header, payload;
  std::vector<Entry> parsed;
  for (;;) {
    if (!co_await read_exact(io, kFrameHeader, header, timeout)) co_return false;
    link_.last_io_ms = core::unix_time_ms();
    uint32_t len = be32(header, 0);
    uint64_t checksum = be64(header, 4);
    if (len == 0) break;
    if (len > kMaxFramePayload) {
      link_.last_error = "snapshot frame too large";
      co_return false;
    }
    if (!co_await read_exact(io, len, payload, timeout)) co_return false;
    link_.sync_read_bytes += kFrameHeader + len;
    if (payload_checksum(payload) != checksum || !parse_payload(payload, parsed)) {
      link_.last_error = "snapshot frame checksum mismatch";
      log::warn("{}", link_.last_error);
      co_return false;
    }
    running = fold_checksum(running, checksum);
    // Write the frame into the staged generation off the event loop (no WAL: the
    // generation is flushed before it becomes active).
    bool ok = co_await asio::co_spawn(
        node_.blocking_pool(),
        [&]() -> asio::awaitable<bool> {
          rocksdb::WriteBatch batch;
          for (const auto& e : parsed) {
            rocksdb::Slice key(e.key.data(), e.key.size());
            rocksdb::Slice value(e.value.data(), e.value.size());
            if (e.family == Family::Sub) {
              batch.Put(staged.sub, key, value);
              continue;
            }
            batch.Put(staged.data, key, value);
            uint16_t db;
            std::string_view user_key;
            storage::RecordView rec;
            if (storage::decode_data_key(e.key, db, user_key) &&
                storage::decode_record(e.value, rec)) {
              if (db < counts.size()) ++counts[db];
              if (rec.expire_at_ms) {
                batch.Put(staged.expiry, storage::expiry_key(rec.expire_at_ms, db, user_key), "");
                if (db < expires.size()) ++expires[db];
              }
            }
          }
          rocksdb::WriteOptions wo;
          wo.disableWAL = true;
          co_return engine.db()->Write(wo, &batch).ok();
        },
        asio::use_awaitable);
    if (!ok) {
      link_.last_error = "writing the snapshot failed";
      co_return false;
    }
    entries += parsed.size();
    link_.sync_entries = entries;
    if (epoch != link_epoch_) co_return false;
  }
  std::string trailer;
  if (!co_await read_exact(io, kTrailer, trailer, timeout)) co_return false;
  if (be64(trailer, 0) != entries || be64(trailer, 8) != running) {
    link_.last_error = "snapshot incomplete or corrupted (entry count or checksum mismatch)";
    log::warn("{}", link_.last_error);
    co_return false;
  }

  // Safety: a master with no data and no shared history (e.g. it lost its data directory)
  // must not wipe a replica that holds data, unless the operator says so.
  auto& repl = node_.repl();
  uint64_t our_keys = 0;
  for (auto n : node_.keyspace().key_counts) our_keys += n;
  // (A master that announced itself was checked before the transfer, sync_guard.h: this
  // catches one that did not, or that lost its data in between.)
  bool shared_history =
      link_.master_shared_history || replid == repl.replid || replid == repl.replid2;
  if (entries == 0 && our_keys > 0 && !shared_history &&
      !node_.config().replica_allow_empty_master_sync) {
    refuse_link("refused a full sync from an empty master with no shared history; keeping " +
                    std::to_string(our_keys) +
                    " keys (CONFIG SET replica-allow-empty-master-sync yes to accept it)",
                true);
    co_return false;
  }

  bool flushed = co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<bool> {
        rocksdb::FlushOptions fo;
        fo.wait = true;
        co_return engine.db()->Flush(fo, {staged.data, staged.expiry, staged.sub}).ok();
      },
      asio::use_awaitable);
  if (!flushed) {
    link_.last_error = "flushing the snapshot failed";
    co_return false;
  }
  if (epoch != link_epoch_) co_return false;

  // Switch: new generation, new history, empty log at the snapshot offset, in one batch,
  // between two write groups.
  rocksdb::Status status;
  co_await node_.pipeline().run_at_quiescent_point([&] {
    storage::ReplMeta meta = repl;
    meta.replid = replid;
    meta.replid2 = std::string(40, '0');
    meta.second_replid_offset = -1;
    meta.master_repl_offset = offset;
    meta.stream_db = stream_db;
    meta.synced = true;
    rocksdb::WriteBatch batch;
    storage::put_repl_meta(batch, engine, meta);
    for (size_t db = 0; db < counts.size(); ++db) {
      storage::put_key_count(batch, engine, static_cast<uint16_t>(db), counts[db]);
      storage::put_expire_count(batch, engine, static_cast<uint16_t>(db), expires[db]);
    }
    batch.DeleteRange(engine.log_cf(), storage::log_key(0), storage::log_key(UINT64_MAX));
    status = engine.activate_generation(staged, batch);
    node_.keyspace().record_cache.clear();  // it described the dataset just replaced
    if (status.ok()) {
      activated = true;
      repl = meta;
      node_.keyspace().key_counts = counts;
      node_.keyspace().expire_counts = expires;
    }
  });
  if (!status.ok()) {
    link_.last_error = "switching to the new dataset failed: " + status.ToString();
    log::error("{}", link_.last_error);
    co_return false;
  }
  link_.refused_empty_master = false;
  link_.refused_reason.clear();
  log::info("full sync done: {} entries loaded, offset {}", entries, offset);
  co_return true;
}

}  // namespace basalt::replication
