// node/replication/master_side.h — owns the master side of replication: the replica feeds
// (after PSYNC, a client's connection streams either the on-disk log from the requested
// offset, or a consistent snapshot followed by the log from the snapshot's offset), their
// REPLCONF ACKs, the WAIT callers, the log trimming that keeps what the feeds need, and the
// PINGs through the stream. Defined in replica_feeds.cpp (serving a feed), replica_acks.cpp
// (ACKs, WAIT, cron) and log_retention.cpp (trimming).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/client.h"
#include "node/replication/offset_clock.h"
#include "node/replication/psync_decision.h"
#include "node/util/stream.h"

namespace basalt::core {
class Node;
}

namespace basalt::replication {

// One attached replica.
struct ReplicaFeed {
  uint64_t client_id = 0;
  std::string ip;
  int listening_port = 0;
  std::string state = "wait_bgsave";  // wait_bgsave, send_bulk, online
  uint64_t sent_offset = 0;           // last byte sent
  uint64_t ack_offset = 0;            // last REPLCONF ACK
  uint64_t last_ack_ms = 0;
  uint64_t needed_from = 0;  // first log byte it may still need
  bool dropped = false;      // beyond repl-log-max-size: its connection is being closed
  boost::asio::steady_timer* waker = nullptr;
};

class MasterSide {
 public:
  explicit MasterSide(core::Node& node);

  // Serves a replica on `socket` after its PSYNC; returns when the link ends.
  boost::asio::awaitable<void> serve_replica(util::Stream& socket, core::Client& client,
                                             PsyncRequest request);
  // Wakes the feeds: the stream has grown to `offset` by `bytes` (its newest bytes, kept in
  // memory for the feeds: see tail_).
  void on_commit(uint64_t offset, std::string_view bytes);
  // The lowest log offset any feed still needs (UINT64_MAX if none).
  uint64_t log_floor() const;
  // Trims the on-disk log to what log_retention.h allows, dropping the feeds that need
  // bytes beyond repl-log-max-size (cron).
  void trim_log();
  const std::list<ReplicaFeed*>& feeds() const { return feeds_; }
  // Replicas whose last ACK is at most min-replicas-max-lag seconds old.
  int good_replicas() const;
  // Sends REPLCONF GETACK * through the stream (WAIT uses it).
  void request_acks();
  // WAIT: resolves when `numreplicas` acked `offset`, or at the timeout (0 = forever).
  boost::asio::awaitable<int64_t> wait_for_acks(uint64_t offset, int64_t numreplicas,
                                                uint64_t timeout_ms);
  int64_t replicas_acked(uint64_t offset) const;

  // Every cron tick: pings the replicas through the stream, trims the log, notes when the
  // stream reached its offset (OffsetClock).
  void cron(uint64_t now_ms);
  // How long the oldest byte `feed` has not acknowledged has waited (0: it acked everything).
  uint64_t unacked_age_ms(const ReplicaFeed& feed, uint64_t now_ms) const;
  // Closes every replica's connection (this node is about to follow another history; they
  // resync with it).
  void disconnect_replicas();
  // Ends the WAIT callers (shutdown).
  void stop();

 private:
  boost::asio::awaitable<void> stream_snapshot(util::Stream& socket, ReplicaFeed& feed,
                                               uint64_t& start_offset, int64_t shared_until);
  boost::asio::awaitable<void> stream_log(util::Stream& socket, ReplicaFeed& feed, uint64_t from);
  boost::asio::awaitable<void> read_acks(util::Stream& socket, ReplicaFeed& feed);
  // Returns once an online replica has sent no ACK for repl-timeout (it is then dropped, as
  // Redis drops a timed-out replica; it resumes with a partial resync when it comes back).
  boost::asio::awaitable<void> watch_ack_timeout(ReplicaFeed& feed);
  // Sends `bytes` to a feed, counting them; false if the socket failed or the replica
  // accepted no byte for repl-timeout (logged: it stopped reading, `what` is dropped).
  boost::asio::awaitable<bool> send_to_feed(util::Stream& socket, ReplicaFeed& feed,
                                            std::string_view bytes, std::string_view what);
  void count_output(size_t n);
  // Appends to `out` up to `max_bytes` of the stream from offset `from` to `end` if the
  // in-memory tail holds them; false if the on-disk log must be read instead.
  bool read_tail(uint64_t from, uint64_t end, size_t max_bytes, std::string& out) const;
  // Closes the connection of client `id` (a replica feed) if it is still there.
  void kill_client(uint64_t id);

  core::Node& node_;
  std::list<ReplicaFeed*> feeds_;
  std::vector<boost::asio::steady_timer*> waiters_;  // WAIT callers
  uint64_t last_trim_offset_ = 0;
  uint64_t last_ping_ms_;  // the first ping goes a period after the start
  OffsetClock clock_;
  // The newest stream bytes (at least the last kTailBytes committed while feeds are
  // attached), so a feed that keeps up sends them from memory instead of opening a RocksDB
  // iterator on the log per group. tail_[0] has offset tail_from_, in history tail_replid_;
  // any commit that does not continue it (a new history, a load) starts it again.
  std::string tail_;
  uint64_t tail_from_ = 0;
  std::string tail_replid_;
};

}  // namespace basalt::replication
