// node/replication/replica_link.cpp — the replica side's lifecycle: following a master (a new
// link epoch, the client that applies its stream), ending the link on promotion or shutdown,
// and the link loop that runs one attempt after the other (master_link.cpp) with a backoff
// that grows while the master is refused.
#include "node/replication/replica_link.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/core/node.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace asio = boost::asio;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using std::chrono::milliseconds;

ReplicaLink::ReplicaLink(core::Node& node) : node_(node) {}

void ReplicaLink::ensure_master_client() {
  if (master_client_) return;
  master_client_ = &node_.add_client();
  master_client_->is_master_link = true;
  // The stream is the master's authority, not a client's request: like Redis's master
  // client it is never asked for a password (requirepass guards clients, not the link).
  master_client_->authenticated = true;
}

void ReplicaLink::follow_master() {
  end_current_link();
  ensure_master_client();
  asio::co_spawn(node_.io(), link_loop(epoch_), asio::detached);
}

void ReplicaLink::on_new_master() {
  info_.refused_empty_master = false;
  info_.refused_reason.clear();
  info_.link_down_since_ms = core::unix_time_ms();
}

LinkLag ReplicaLink::lag(uint64_t now_ms, uint64_t applied_offset) const {
  LinkLag lag;
  if (info_.state == "connected" && info_.received_offset > applied_offset)
    lag.bytes = info_.received_offset - applied_offset;
  uint64_t heard = info_.last_io_ms ? info_.last_io_ms : info_.link_down_since_ms;
  if (heard == 0) heard = now_ms;
  lag.seconds = static_cast<double>(now_ms - std::min(now_ms, heard)) / 1000.0;
  return lag;
}

void ReplicaLink::end_for_promotion() {
  end_current_link();
  info_.state = "none";
  info_.sync_in_progress = false;
  info_.refused_reason.clear();
}

void ReplicaLink::stop() {
  stopped_ = true;
  end_current_link();
}

void ReplicaLink::end_current_link() {
  retry_now();  // a link loop waiting to retry wakes up and sees the new epoch
  ++epoch_;
  if (socket_) {
    socket_->close();
  }
}

void ReplicaLink::retry_now() {
  if (retry_timer_) retry_timer_->cancel();
}

asio::awaitable<void> ReplicaLink::link_loop(uint64_t epoch) {
  int backoff_ms = 100;
  int refused_backoff_ms = 0;  // grows while the master keeps being refused (sync_guard.h)
  while (epoch == epoch_ && node_.is_replica() && !node_.shutting_down() && !stopped_) {
    bool synced = false;
    uint64_t refusals_before = info_.refusals;
    try {
      synced = co_await run_link_once(epoch);
    } catch (const std::exception& e) {
      info_.last_error = e.what();
      log::warn("replication link error: {}", e.what());
    }
    socket_ = nullptr;
    if (info_.state == "connected") info_.link_down_since_ms = core::unix_time_ms();
    info_.state = "connect";
    info_.sync_in_progress = false;
    if (epoch != epoch_ || node_.shutting_down() || stopped_) break;
    int wait_ms;
    if (info_.refusals != refusals_before) {
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
    // A store that refuses writes can't apply a stream: wait until it recovers.
    while (!node_.storage_health().writable() && epoch == epoch_ && !node_.shutting_down() &&
           !stopped_) {
      info_.last_error =
          "waiting for the storage engine to accept writes: " + node_.storage_health().error();
      timer.expires_after(milliseconds(200));
      co_await timer.async_wait(kNoThrow);
    }
    if (retry_timer_ == &timer) retry_timer_ = nullptr;
  }
}

}  // namespace basalt::replication
