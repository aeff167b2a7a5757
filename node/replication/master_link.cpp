// node/replication/master_link.cpp — one attempt of the replica's link (the loop that retries
// is in replica_link.cpp): connect to the master, handshake (the master's announcement is
// judged in link_guard.cpp), PSYNC, then hand over to the snapshot loader (snapshot_loader.cpp)
// or the stream applier (master_stream.cpp). Also LinkIo's socket reads (link_io.h).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <sstream>

#include "node/core/command_batch.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/numbers.h"
#include "node/protocol/request_parser.h"
#include "node/replication/link_connect.h"
#include "node/replication/link_io.h"
#include "node/replication/replica_link.h"
#include "node/util/ascii.h"
#include "node/util/log.h"
#include "storage/meta.h"

namespace basalt::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using std::chrono::milliseconds;

using protocol::multibulk;

asio::awaitable<bool> LinkIo::fill(milliseconds timeout) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (1u << 20)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  boost::asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout);
  using boost::asio::experimental::awaitable_operators::operator||;
  auto result = co_await (socket_.async_read_some(boost::asio::buffer(chunk_), kNoThrow) ||
                          timer.async_wait(kNoThrow));
  if (result.index() != 0) co_return false;  // timed out
  auto [ec, n] = std::get<0>(result);
  if (ec || n == 0) co_return false;
  buf_.append(chunk_.data(), n);
  bytes_read_ += n;
  co_return true;
}

asio::awaitable<bool> LinkIo::send(std::string_view bytes) {
  auto [ec, n] = co_await boost::asio::async_write(socket_, boost::asio::buffer(bytes), kNoThrow);
  co_return !ec;
}

asio::awaitable<bool> read_line(LinkIo& io, std::string& line, milliseconds timeout) {
  while (!io.take_line(line)) {
    bool ok = co_await io.fill(timeout);  // (GCC 12 miscompiles co_await in this condition)
    if (!ok) co_return false;
  }
  co_return true;
}

asio::awaitable<bool> read_exact(LinkIo& io, size_t n, std::string& out, milliseconds timeout) {
  while (!io.take(n, out)) {
    bool ok = co_await io.fill(timeout);  // (GCC 12 miscompiles co_await in this condition)
    if (!ok) co_return false;
  }
  co_return true;
}

asio::awaitable<bool> ReplicaLink::run_link_once(uint64_t epoch) {
  auto& config = node_.config();
  auto& repl = node_.repl();
  const std::string host = repl.master_host;
  const int port = repl.master_port;
  milliseconds timeout(static_cast<int64_t>(config.repl_timeout) * 1000);

  info_.state = "connecting";
  std::string connect_error;
  auto connected = co_await connect_link(node_, host, port, std::min(timeout, milliseconds(5000)),
                                         connect_error);
  if (!connected) {
    info_.last_error = "can't connect to master: " + connect_error;
    co_return false;
  }
  util::Stream& socket = *connected;
  socket_ = &socket;
  info_.state = "handshake";
  info_.last_io_ms = core::unix_time_ms();
  log::info("connecting to MASTER {}:{}{}", host, port, socket.is_tls() ? " over TLS" : "");
  LinkIo io(socket);
  std::string line;

  // PING: any reply but an unexpected error means the master is there.
  const std::string ping = multibulk({"PING"});
  if (!co_await io.send(ping) || !co_await read_line(io, line, timeout)) co_return false;
  if (!line.empty() && line[0] == '-' && line.rfind("-NOAUTH", 0) != 0 &&
      line.rfind("-NOPERM", 0) != 0 && line.rfind("-ERR operation not permitted", 0) != 0) {
    info_.last_error = "error reply to PING from master: " + line;
    co_return false;
  }
  if (!config.masterauth.empty()) {
    std::string auth = config.masteruser.empty()
                           ? multibulk({"AUTH", config.masterauth})
                           : multibulk({"AUTH", config.masteruser, config.masterauth});
    if (!co_await io.send(auth) || !co_await read_line(io, line, timeout)) co_return false;
    if (line.empty() || line[0] == '-') {
      info_.last_error = "unable to AUTH to MASTER: " + line;
      log::warn("{}", info_.last_error);
      co_return false;
    }
  }
  // As Redis: with tls-replication the port others reach us on (Sentinel, FAILOVER) is tls-port.
  int own_port = config.tls_replication && config.tls_port ? config.tls_port : config.port;
  int announce_port = config.replica_announce_port ? config.replica_announce_port : own_port;
  const std::string listening =
      multibulk({"REPLCONF", "listening-port", std::to_string(announce_port)});
  if (!co_await io.send(listening) || !co_await read_line(io, line, timeout)) co_return false;
  if (!config.replica_announce_ip.empty()) {
    const std::string ip = multibulk({"REPLCONF", "ip-address", config.replica_announce_ip});
    if (!co_await io.send(ip) || !co_await read_line(io, line, timeout)) co_return false;
  }
  const std::string capa = multibulk({"REPLCONF", "capa", "eof", "capa", "psync2"});
  if (!co_await io.send(capa) || !co_await read_line(io, line, timeout)) co_return false;
  // Our databases: a basalt master refuses us if it has more, else announces its dataset and
  // ids, and we decide before PSYNC whether we may follow it (link_guard.cpp).
  const std::string databases =
      multibulk({"REPLCONF", "databases", std::to_string(config.databases)});
  if (!co_await io.send(databases) || !co_await read_line(io, line, timeout)) co_return false;
  if (!judge_master(line)) co_return false;

  // PSYNC with our own history: our log holds the same bytes at the same offsets.
  // "?" only for a node that never shared a history with anyone (a dataset synced at
  // offset 0 from an empty master still has one).
  bool no_history = repl.master_repl_offset == 0 && !repl.synced;
  // FAILOVER: this node was the master a moment ago and asks its target to take over.
  const bool failover = failover_psync_ == FailoverPsync::Pending;
  const std::string next_offset = std::to_string(repl.master_repl_offset + 1);
  std::string psync = failover     ? multibulk({"PSYNC", repl.replid, next_offset, "FAILOVER"})
                      : no_history ? multibulk({"PSYNC", "?", "-1"})
                                   : multibulk({"PSYNC", repl.replid, next_offset});
  if (!co_await io.send(psync)) co_return false;
  do {
    if (!co_await read_line(io, line, timeout)) co_return false;
  } while (line.empty());  // masters may send newlines while preparing
  if (epoch != epoch_) co_return false;
  if (failover && failover_psync_ == FailoverPsync::Pending) {
    bool accepted = line.rfind("+FULLRESYNC", 0) == 0 || line.rfind("+CONTINUE", 0) == 0;
    failover_psync_ = accepted ? FailoverPsync::Accepted : FailoverPsync::Rejected;
    if (!accepted) {
      failover_psync_reply_ = line;
      info_.last_error = "the failover target refused PSYNC FAILOVER: " + line;
      log::warn("{}", info_.last_error);
      co_return false;
    }
  }

  if (line.rfind("+FULLRESYNC", 0) == 0) {
    std::string id;
    unsigned long long offset = 0;
    {
      std::istringstream words(line.substr(11));
      if (!(words >> id >> offset) || id.size() != 40) {
        info_.last_error = "bad FULLRESYNC reply: " + line;
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
      std::string failed = node_.repl_state().follow_new_id(new_id);
      if (!failed.empty()) {
        info_.last_error = "can't record the master's new replication id: " + failed;
        co_return false;
      }
    }
    if (std::string failed = node_.repl_state().mark_synced(); !failed.empty()) {
      info_.last_error = "can't record the sync: " + failed;
      co_return false;
    }
    log::info("partial resync with master accepted: continuing from offset {}",
              repl.master_repl_offset + 1);
  } else {
    info_.last_error = "unexpected reply to PSYNC: " + line;
    log::warn("{}", info_.last_error);
    co_return false;
  }

  info_.state = "connected";
  info_.sync_in_progress = false;
  info_.last_io_ms = core::unix_time_ms();
  info_.read_repl_offset = repl.master_repl_offset;
  master_client_->db = static_cast<uint16_t>(repl.stream_db);
  std::string rest = io.take_rest();
  // The handshake and any snapshot came through `io`; count them as Redis does.
  node_.stats().total_net_input_bytes += io.bytes_read() - rest.size();
  node_.stats().total_net_repl_input_bytes += io.bytes_read() - rest.size();
  co_await (apply_stream(socket, std::move(rest)) || send_acks(socket));
  log::warn("connection with master lost");
  co_return true;
}

}  // namespace basalt::replication
