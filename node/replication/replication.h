// node/replication/replication.h — replication roles and links.
//
// Master side: after PSYNC, the client's connection becomes a *feed*: it streams either the
// on-disk log from the requested offset (partial resync) or a consistent snapshot followed
// by the log from the snapshot's offset (full resync), and reads REPLCONF ACKs.
// Replica side: one *link* coroutine connects to the master, handshakes, applies the stream
// through the write pipeline (logging the same bytes at the same offsets), and reconnects.
// Role changes (REPLICAOF host port / NO ONE) are persisted in meta.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "node/core/client.h"
#include "node/replication/psync_decision.h"
#include "storage/meta.h"

namespace basalt::core {
class Node;
}

namespace basalt::replication {

// One attached replica (master side).
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

// The replica's view of its link to the master (INFO replication).
struct LinkInfo {
  std::string state = "none";  // none, connect, connecting, handshake, sync, connected
  uint64_t last_io_ms = 0;
  uint64_t link_down_since_ms = 0;
  bool sync_in_progress = false;
  uint64_t sync_total_bytes = 0;
  uint64_t sync_read_bytes = 0;
  uint64_t sync_entries = 0;
  bool refused_empty_master = false;   // the last refusal protects our data (override applies)
  std::string refused_reason;          // why the last attempt was refused (empty: not refused)
  uint64_t refusals = 0;               // attempts refused before any transfer
  bool master_shared_history = false;  // the master's announced ids include one of ours
  uint64_t read_repl_offset = 0;
  uint64_t apply_failures = 0;   // times applying the stream stopped (the link was dropped)
  std::string divergent_file;    // the last file divergent writes were kept in ("" if none)
  uint64_t divergent_saves = 0;  // full syncs that kept divergent writes
  std::string last_error;
};

class Replication {
 public:
  explicit Replication(core::Node& node);
  ~Replication();

  // Starts the link if the persisted role (or the startup replicaof) says replica.
  void start();
  void stop();
  // Every cron tick: pings the replicas through the stream, trims the log.
  void cron(uint64_t now_ms);
  // A CONFIG SET of a replication directive took effect.
  void on_config_changed(const std::string& name);

  // ---- master side
  // Serves a replica on `socket` after its PSYNC; returns when the link ends.
  boost::asio::awaitable<void> serve_replica(boost::asio::ip::tcp::socket& socket,
                                             core::Client& client, PsyncRequest request);
  // Wakes the feeds and WAIT callers: the stream has grown to `offset`.
  void on_commit(uint64_t offset);
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

  // ---- role changes. Each writes the new role to meta (synced) before it takes effect, and
  // returns "" or the error reply (the old role is then kept). Called inside a write group
  // (EXEC) or at startup; elsewhere use the *_between_groups forms, which run between two
  // write groups so the promotion's second_replid_offset matches the offset on disk.
  std::string replicaof(const std::string& host, int port);
  std::string promote();  // REPLICAOF NO ONE
  boost::asio::awaitable<std::string> replicaof_between_groups(std::string host, int port);
  boost::asio::awaitable<std::string> promote_between_groups();
  const LinkInfo& link() const { return link_; }
  // Ends the wait before the next attempt to link (an operator override was just set).
  void retry_link_now();
  bool link_up() const { return link_.state == "connected"; }
  // Our master sent REPLCONF GETACK: an ACK goes out once what it sent so far is applied.
  void ack_requested() { ack_due_ = true; }
  // The client that applies our master's stream (null on a master).
  core::Client* master_client() const { return master_client_; }

 private:
  // Ends the running link to the master (its loop sees a new epoch and exits).
  void end_current_link();
  // The client that applies the master's stream (created once, authenticated).
  void ensure_master_client();
  boost::asio::awaitable<void> link_loop(uint64_t epoch);
  boost::asio::awaitable<bool> run_link_once(uint64_t epoch);
  // `shared_until` >= 0: where the replica's history branched from ours (it keeps the rest).
  // Records why the master is refused (link_guard.cpp).
  void refuse_link(const std::string& reason, bool protects_data);
  // Decides on the master's reply to REPLCONF databases (sync_guard.h); false: refused.
  bool judge_master(const std::string& reply);
  boost::asio::awaitable<void> stream_snapshot(boost::asio::ip::tcp::socket& socket,
                                               ReplicaFeed& feed, uint64_t& start_offset,
                                               int64_t shared_until);
  boost::asio::awaitable<void> stream_log(boost::asio::ip::tcp::socket& socket, ReplicaFeed& feed,
                                          uint64_t from);
  boost::asio::awaitable<void> read_acks(boost::asio::ip::tcp::socket& socket, ReplicaFeed& feed);
  // Returns once an online replica has sent no ACK for repl-timeout (it is then dropped, as
  // Redis drops a timed-out replica; it resumes with a partial resync when it comes back).
  boost::asio::awaitable<void> watch_ack_timeout(ReplicaFeed& feed);
  // Loads a full-sync snapshot into a staged generation and switches to it.
  // Saves our log's offsets first..last (writes after the branch point) to a file.
  boost::asio::awaitable<bool> keep_divergent_tail(uint64_t first, uint64_t last);
  boost::asio::awaitable<bool> load_snapshot(class LinkIo& io, const std::string& replid,
                                             uint64_t offset, std::chrono::milliseconds timeout,
                                             uint64_t epoch);
  // Records and logs why a full sync from the master is refused; returns false.
  bool refuse_sync(const std::string& why);
  boost::asio::awaitable<void> apply_stream(boost::asio::ip::tcp::socket& socket,
                                            std::string first_bytes,
                                            std::chrono::milliseconds timeout);
  boost::asio::awaitable<void> send_acks(boost::asio::ip::tcp::socket& socket);
  // Sends `bytes` to a feed, counting them; false if the socket failed or the replica
  // accepted no byte for repl-timeout (logged: it stopped reading, `what` is dropped).
  boost::asio::awaitable<bool> send_to_feed(boost::asio::ip::tcp::socket& socket, ReplicaFeed& feed,
                                            std::string_view bytes, std::string_view what);
  void count_output(size_t n);
  // Closes the connection of client `id` (a replica feed) if it is still there.
  void kill_client(uint64_t id);
  uint64_t last_trim_offset_ = 0;
  uint64_t last_ping_ms_ = 0;  // the first ping goes a period after the start
  bool ack_due_ = false;  // the master asked for an ACK (GETACK) not yet sent
  boost::asio::steady_timer* ack_waker_ = nullptr;
  boost::asio::steady_timer* retry_timer_ = nullptr;  // the link loop's wait between attempts
  static constexpr int kRefusedBackoffMinMs = 1000;
  static constexpr int kRefusedBackoffMaxMs = 60000;

  core::Node& node_;
  std::list<ReplicaFeed*> feeds_;
  LinkInfo link_;
  uint64_t link_epoch_ = 0;
  boost::asio::ip::tcp::socket* link_socket_ = nullptr;
  core::Client* master_client_ = nullptr;
  std::vector<boost::asio::steady_timer*> waiters_;
  bool stopped_ = false;
};

}  // namespace basalt::replication
