// node/replication/replica_link.h — owns the replica side of replication: one *link* coroutine
// connects to the master, handshakes (master_link.cpp), judges the master before any transfer
// (link_guard.cpp), loads a full-sync snapshot (snapshot_loader.cpp) or continues, applies the
// stream through the write pipeline logging the same bytes at the same offsets and sends ACKs
// (master_stream.cpp), and reconnects (replica_link.cpp). LinkInfo is its state for INFO
// replication and the admin API.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "node/core/client.h"
#include "node/util/stream.h"

namespace basalt::core {
class Node;
}

namespace basalt::replication {

class LinkIo;

// How far this replica is behind its master, as far as it can tell (README, *Lag alerts*):
// `bytes` arrived from the master but not applied yet; `seconds` since the master last sent
// anything (its stream or its PINGs), counted from when the link went down or the role began
// if it never did.
struct LinkLag {
  uint64_t bytes = 0;
  double seconds = 0;
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
  // The stream's end as received from the master (applied or not): read_repl_offset plus the
  // bytes that arrived and wait in the read buffer.
  uint64_t received_offset = 0;
  uint64_t apply_failures = 0;   // times applying the stream stopped (the link was dropped)
  std::string divergent_file;    // the last file divergent writes were kept in ("" if none)
  uint64_t divergent_saves = 0;  // full syncs that kept divergent writes
  std::string last_error;
};

class ReplicaLink {
 public:
  explicit ReplicaLink(core::Node& node);

  // Ends the running link, if any, and starts one to the master recorded in ReplState.
  void follow_master();
  // A new master was just chosen (REPLICAOF): its predecessor's refusal no longer applies and
  // the link is down from now on.
  void on_new_master();
  // This node was promoted: ends the link and forgets its sync state.
  void end_for_promotion();
  // Ends the link for good (shutdown).
  void stop();

  const LinkInfo& info() const { return info_; }
  bool up() const { return info_.state == "connected"; }
  LinkLag lag(uint64_t now_ms, uint64_t applied_offset) const;
  // Ends the wait before the next attempt to link (an operator override was just set).
  void retry_now();
  // Our master sent REPLCONF GETACK: an ACK goes out once what it sent so far is applied.
  void ack_requested() { ack_due_ = true; }
  // The client that applies our master's stream (null on a master).
  core::Client* master_client() const { return master_client_; }

  // ---- FAILOVER (failover.cpp): the link's next PSYNC asks the master to promote itself
  // (`PSYNC <replid> <offset> FAILOVER`, as Redis 6.2+); its answer is kept for the failover.
  enum class FailoverPsync { None, Pending, Accepted, Rejected };
  void request_failover_psync() {
    failover_psync_ = FailoverPsync::Pending;
    failover_psync_reply_.clear();
  }
  void clear_failover_psync() { failover_psync_ = FailoverPsync::None; }
  FailoverPsync failover_psync() const { return failover_psync_; }
  // The target's reply when it refused (an error line).
  const std::string& failover_psync_reply() const { return failover_psync_reply_; }

 private:
  struct FullSync;  // one full sync in progress (snapshot_loader.cpp)

  // Ends the running link to the master (its loop sees a new epoch and exits).
  void end_current_link();
  // The client that applies the master's stream (created once, authenticated).
  void ensure_master_client();
  boost::asio::awaitable<void> link_loop(uint64_t epoch);
  boost::asio::awaitable<bool> run_link_once(uint64_t epoch);
  // Records why the master is refused (link_guard.cpp).
  void refuse_link(const std::string& reason, bool protects_data);
  // Decides on the master's reply to REPLCONF databases (sync_guard.h); false: refused.
  bool judge_master(const std::string& reply);

  // ---- full sync (snapshot_loader.cpp): read the snapshot into a staged generation, check
  // it is safe to replace our dataset, switch to it.
  boost::asio::awaitable<bool> load_snapshot(LinkIo& io, const std::string& replid, uint64_t offset,
                                             std::chrono::milliseconds timeout, uint64_t epoch);
  // read: the preamble, every frame (staged as it comes), the trailer.
  boost::asio::awaitable<bool> read_snapshot(LinkIo& io, FullSync& sync,
                                             std::chrono::milliseconds timeout, uint64_t epoch);
  boost::asio::awaitable<bool> read_frame(LinkIo& io, FullSync& sync,
                                          std::chrono::milliseconds timeout, bool& last);
  boost::asio::awaitable<bool> read_trailer(LinkIo& io, FullSync& sync,
                                            std::chrono::milliseconds timeout);
  // stage: a new generation; the entries written into it off the event loop; flushed.
  bool open_staging(FullSync& sync);
  boost::asio::awaitable<bool> stage_entries(FullSync& sync);
  boost::asio::awaitable<bool> flush_staged(FullSync& sync);
  // safety: no empty master without shared history replaces our data; our writes past the
  // branch point are saved to a file first.
  bool may_replace_dataset(const FullSync& sync);
  boost::asio::awaitable<bool> keep_divergent_writes(const FullSync& sync);
  // switch: the new generation and the new history (ReplState) in one batch.
  boost::asio::awaitable<bool> switch_to_snapshot(FullSync& sync);
  // Record and log why a full sync failed; both return false.
  bool refuse_sync(const std::string& why);
  bool sync_interrupted(const char* what, std::chrono::milliseconds timeout);

  // ---- once linked (master_stream.cpp)
  // Applies the stream until the link fails or stays silent for repl-timeout (read on every
  // wait, so a CONFIG SET reaches a running link).
  boost::asio::awaitable<void> apply_stream(util::Stream& socket, std::string first_bytes);
  boost::asio::awaitable<void> send_acks(util::Stream& socket);

  static constexpr int kRefusedBackoffMinMs = 1000;
  static constexpr int kRefusedBackoffMaxMs = 60000;

  core::Node& node_;
  LinkInfo info_;
  uint64_t epoch_ = 0;
  util::Stream* socket_ = nullptr;
  core::Client* master_client_ = nullptr;
  bool ack_due_ = false;  // the master asked for an ACK (GETACK) not yet sent
  boost::asio::steady_timer* ack_waker_ = nullptr;
  boost::asio::steady_timer* retry_timer_ = nullptr;  // the link loop's wait between attempts
  bool stopped_ = false;
  FailoverPsync failover_psync_ = FailoverPsync::None;
  std::string failover_psync_reply_;
};

}  // namespace basalt::replication
