// node/replication/replica_feeds.cpp — the master side's feeds: PSYNC answers, snapshot
// streaming for full resyncs, log streaming, reading a replica's REPLCONF ACKs and dropping a
// replica that stops reading or acking.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <climits>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/numbers.h"
#include "node/protocol/resp_reader.h"
#include "node/replication/feed_io.h"
#include "node/replication/master_side.h"
#include "node/replication/snapshot_format.h"
#include "node/util/ascii.h"
#include "node/util/log.h"
#include "storage/snapshot.h"

namespace basalt::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr size_t kLogChunk = 1 << 20;
constexpr size_t kSnapshotFrame = 1 << 20;

asio::awaitable<bool> cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

// Reads a RocksDB snapshot (storage::SnapshotScan) into frame payloads (on the blocking
// pool). An entry larger than a payload continues in the next ones (EntryWriter).
class SnapshotReader {
 public:
  SnapshotReader(storage::Engine& engine) : scan_(engine) {}
  // Fills `payload` with up to kSnapshotFrame bytes of the entry stream; false once all was
  // read.
  bool next(std::string& payload) {
    payload.clear();
    for (; scan_.valid(); scan_.next()) {
      // The scan's key and value stay valid until next(): a large value is written piece by
      // piece straight from them.
      if (!writer_.active()) {
        Family family = scan_.family() == storage::SnapshotFamily::Sub ? Family::Sub : Family::Data;
        writer_.begin(family, scan_.key(), scan_.value());
      }
      if (!writer_.write_into(payload)) return true;  // the payload is full
      ++entries_;
    }
    return !payload.empty();
  }
  uint64_t entries() const { return entries_; }

 private:
  storage::SnapshotScan scan_;
  EntryWriter writer_{kSnapshotFrame};
  uint64_t entries_ = 0;
};

std::string ip_of(const std::string& addr) {
  auto colon = addr.rfind(':');
  return colon == std::string::npos ? addr : addr.substr(0, colon);
}

}  // namespace

asio::awaitable<void> MasterSide::serve_replica(util::Stream& socket, core::Client& client,
                                                PsyncRequest request) {
  auto& repl = node_.repl();
  auto& stats = node_.stats();
  MasterHistory history{repl.replid, repl.replid2, repl.second_replid_offset,
                        repl.master_repl_offset, node_.repl_log().first_offset()};
  PsyncDecision decision = decide_psync(request, history);

  asio::steady_timer waker(node_.io(), asio::steady_timer::time_point::max());
  ReplicaFeed feed;
  feed.client_id = client.id;
  // The address the replica announced (replica-announce-ip), else the one it connects from.
  feed.ip = client.replica_announced_ip.empty() ? ip_of(client.addr) : client.replica_announced_ip;
  feed.listening_port = client.replica_listening_port;
  feed.waker = &waker;
  feed.last_ack_ms = core::unix_time_ms();
  feeds_.push_back(&feed);
  client.is_replica = true;
  struct Unregister {
    std::weak_ptr<int> alive;
    MasterSide* self;
    ReplicaFeed* feed;
    ~Unregister() {
      if (!alive.expired()) self->feeds_.remove(feed);
    }
  } unregister{node_.lifetime(), this, &feed};

  uint64_t from = 0;
  if (decision.partial) {
    ++stats.sync_partial_ok;
    log::info("replica {}:{} asked for partial resync from {}: accepted ({})", feed.ip,
              feed.listening_port, request.offset, decision.reason);
    from = static_cast<uint64_t>(request.offset);
    feed.needed_from = from;
    feed.ack_offset = from - 1;
    std::string line = "+CONTINUE " + repl.replid + "\r\n";
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(line), kNoThrow);
    if (ec) co_return;
    count_output(n);
  } else {
    if (request.replid != "?") ++stats.sync_partial_err;
    ++stats.sync_full;
    log::info("replica {}:{} needs a full resync: {}", feed.ip, feed.listening_port,
              decision.reason);
    try {
      co_await stream_snapshot(socket, feed, from, decision.shared_until);
    } catch (const std::exception& e) {
      log::warn("full sync to {}:{} failed: {}", feed.ip, feed.listening_port, e.what());
      co_return;
    }
    if (from == 0) co_return;
  }
  feed.state = "online";
  feed.last_ack_ms = core::unix_time_ms();  // a long full sync is not an ACK timeout
  log::info("replica {}:{} is online, streaming from offset {}", feed.ip, feed.listening_port,
            from);
  co_await (stream_log(socket, feed, from) || read_acks(socket, feed) || watch_ack_timeout(feed));
  log::info("connection with replica {}:{} lost", feed.ip, feed.listening_port);
}

asio::awaitable<void> MasterSide::stream_snapshot(util::Stream& socket, ReplicaFeed& feed,
                                                  uint64_t& start_offset, int64_t shared_until) {
  start_offset = 0;
  // The snapshot must match an exact offset: take it between two write groups.
  std::unique_ptr<SnapshotReader> reader;
  uint64_t offset = 0;
  int db = 0;
  co_await node_.pipeline().run_at_quiescent_point([&] {
    reader = std::make_unique<SnapshotReader>(node_.engine());
    offset = node_.repl().master_repl_offset;
    db = static_cast<int>(node_.repl().stream_db);
  });
  feed.needed_from = offset + 1;
  feed.sent_offset = offset;
  feed.ack_offset = offset;
  feed.state = "send_bulk";
  std::string head = "+FULLRESYNC " + node_.repl().replid + " " + std::to_string(offset) + "\r\n" +
                     make_preamble(db, shared_until);
  // A reader that stops reading is dropped after repl-timeout; leaving here releases the
  // snapshot and the log it pinned (feed.needed_from).
  auto abandon = [&] {
    log::warn("full sync to {}:{} abandoned at offset {}; its snapshot is released", feed.ip,
              feed.listening_port, offset);
  };
  // (co_await results are named before they are tested: GCC 12 miscompiles
  // `if (!co_await ...)` in loops.)
  bool sent = co_await send_to_feed(socket, feed, head, "full sync transfer");
  if (!sent) co_return abandon();

  uint64_t running = 0;
  std::string payload;
  for (;;) {
    bool more = co_await asio::co_spawn(
        node_.blocking_pool(), [&]() -> asio::awaitable<bool> { co_return reader->next(payload); },
        asio::use_awaitable);
    if (!more) break;
    std::string frame = make_frame(payload);
    running = fold_checksum(running, payload_checksum(payload));
    sent = co_await send_to_feed(socket, feed, frame, "full sync transfer");
    if (!sent) co_return abandon();
  }
  std::string end = make_end(reader->entries(), running);
  sent = co_await send_to_feed(socket, feed, end, "full sync transfer");
  if (!sent) co_return abandon();
  log::info("full sync: sent {} entries at offset {} to {}:{}", reader->entries(), offset, feed.ip,
            feed.listening_port);
  start_offset = offset + 1;
}

asio::awaitable<void> MasterSide::stream_log(util::Stream& socket, ReplicaFeed& feed,
                                             uint64_t from) {
  uint64_t pos = from;
  std::string buf;
  for (;;) {
    uint64_t end = node_.repl().master_repl_offset;
    if (pos <= end) {
      buf.clear();
      bool held =
          read_tail(pos, end, kLogChunk, buf) || node_.repl_log().read(pos, end, kLogChunk, buf);
      if (!held || buf.empty()) {
        log::warn("replica {}:{}: the log no longer holds offset {}", feed.ip, feed.listening_port,
                  pos);
        co_return;
      }
      bool sent = co_await send_to_feed(socket, feed, buf, "stream");
      if (!sent) co_return;
      pos += buf.size();
      feed.sent_offset = pos - 1;
    } else {
      co_await feed.waker->async_wait(kNoThrow);
    }
    if (co_await cancelled()) co_return;
  }
}

asio::awaitable<void> MasterSide::watch_ack_timeout(ReplicaFeed& feed) {
  asio::steady_timer timer(node_.io());
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(kNoThrow);
    if (co_await cancelled()) co_return;
    uint64_t timeout_ms = static_cast<uint64_t>(node_.config().repl_timeout) * 1000;
    uint64_t now = core::unix_time_ms();
    if (now > feed.last_ack_ms && now - feed.last_ack_ms > timeout_ms) {
      log::warn("disconnecting timed out replica {}:{}: no ACK for {} s", feed.ip,
                feed.listening_port, (now - feed.last_ack_ms) / 1000);
      co_return;
    }
  }
}

asio::awaitable<void> MasterSide::read_acks(util::Stream& socket, ReplicaFeed& feed) {
  protocol::RespReader reader(4096);
  for (;;) {
    if (!reader.make_room(64 * 1024)) co_return;  // a replica does not send huge commands
    auto space = reader.space();
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(space.data(), space.size()), kNoThrow);
    if (ec || n == 0) co_return;
    reader.commit(n);
    for (;;) {
      auto r = reader.next();
      if (r == protocol::RespReader::Result::Incomplete) break;
      if (r == protocol::RespReader::Result::Error) co_return;
      auto args = reader.args();
      int64_t off = 0;
      if (args.size() >= 3 && util::iequals(args[0], "replconf") && util::iequals(args[1], "ack") &&
          protocol::parse_i64(args[2], off) && off >= 0) {
        feed.ack_offset = static_cast<uint64_t>(off);
        feed.needed_from = static_cast<uint64_t>(off) + 1;
        feed.last_ack_ms = core::unix_time_ms();
        for (auto* w : waiters_) w->cancel();
      }
    }
  }
}

asio::awaitable<bool> MasterSide::send_to_feed(util::Stream& socket, ReplicaFeed& feed,
                                               std::string_view bytes, std::string_view what) {
  std::chrono::milliseconds stall(static_cast<int64_t>(node_.config().repl_timeout) * 1000);
  size_t written = 0;
  WriteOutcome outcome = co_await write_with_progress(socket, bytes, stall, written);
  count_output(written);
  if (outcome == WriteOutcome::Stalled)
    log::warn("replica {}:{}: the {} made no progress for {} s (repl-timeout); dropping it",
              feed.ip, feed.listening_port, what, node_.config().repl_timeout);
  co_return outcome == WriteOutcome::Done;
}

void MasterSide::count_output(size_t n) {
  node_.stats().total_net_output_bytes += n;
  node_.stats().total_net_repl_output_bytes += n;
}

}  // namespace basalt::replication
