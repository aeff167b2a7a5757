// node/replication/failover.cpp — see failover.h. The state machine runs in one coroutine:
// waiting-for-sync (writes paused, acks requested once, polled every 100 ms at a point
// between two write groups) then failover-in-progress (the handover), then no-failover.
#include "node/replication/failover.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace asio = boost::asio;
using std::chrono::milliseconds;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr milliseconds kPoll(100);
// How long the target may take to answer PSYNC FAILOVER before the failover rolls back.
constexpr milliseconds kHandoverTimeout(10000);

Failover::Failover(core::Node& node, Replication& replication)
    : node_(node), replication_(replication) {}

std::string_view Failover::state_name() const {
  switch (state_) {
    case State::WaitingForSync:
      return "waiting-for-sync";
    case State::InProgress:
      return "failover-in-progress";
    default:
      return "no-failover";
  }
}

std::string Failover::start(const std::string& host, int port, bool has_target, uint64_t timeout_ms,
                            bool force) {
  if (running()) return "ERR FAILOVER already in progress.";
  if (node_.is_replica()) return "ERR FAILOVER is not valid when server is a replica.";
  const auto& feeds = replication_.master().feeds();
  if (feeds.empty()) return "ERR FAILOVER requires connected replicas.";
  if (force && (timeout_ms == 0 || !has_target))
    return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
  if (has_target) {
    const ReplicaFeed* target = nullptr;
    for (const auto* feed : feeds) {
      if (feed->ip == host && feed->listening_port == port) target = feed;
    }
    if (!target) return "ERR FAILOVER target HOST and PORT is not a replica.";
    if (target->state != "online") return "ERR FAILOVER target replica is not online.";
    log::info("FAILOVER requested to {}:{}", host, port);
  } else {
    log::info("FAILOVER requested to any replica");
  }
  host_ = host;
  port_ = port;
  has_target_ = has_target;
  force_ = force;
  aborted_ = false;
  deadline_ms_ = timeout_ms ? core::unix_time_ms() + timeout_ms : 0;
  state_ = State::WaitingForSync;
  // As Redis: the clients' writes wait, and so does expiry (no byte enters the stream).
  node_.pipeline().pause_client_writes();
  node_.keyspace().active_expiry = false;
  replication_.master().request_acks();
  asio::co_spawn(node_.io(), run(++generation_), asio::detached);
  return "";
}

std::string Failover::abort() {
  if (!running()) return "ERR No failover in progress.";
  aborted_ = true;
  if (timer_) timer_->cancel();
  // Still waiting for the target: over at once, as in Redis (the handover instead rolls back
  // in its coroutine, between two write groups).
  if (state_ == State::WaitingForSync) finish("Failover manually aborted");
  return "";
}

const ReplicaFeed* Failover::caught_up() const {
  uint64_t offset = node_.repl().master_repl_offset;
  for (const auto* feed : replication_.master().feeds()) {
    if (feed->state != "online" || feed->ack_offset < offset) continue;
    if (!has_target_ || (feed->ip == host_ && feed->listening_port == port_)) return feed;
  }
  return nullptr;
}

asio::awaitable<void> Failover::run(uint64_t generation) {
  std::string why;
  bool proceed = false;
  asio::steady_timer timer(node_.io());
  timer_ = &timer;
  for (;;) {
    timer.expires_after(kPoll);
    co_await timer.async_wait(kNoThrow);
    if (ended(generation)) {
      if (timer_ == &timer) timer_ = nullptr;
      co_return;  // ABORT finished it already
    }
    if (aborted_ || node_.shutting_down()) {
      why = "Failover manually aborted";
      break;
    }
    const ReplicaFeed* target = nullptr;
    co_await node_.pipeline().run_at_quiescent_point([&] { target = caught_up(); });
    if (ended(generation)) {
      if (timer_ == &timer) timer_ = nullptr;
      co_return;
    }
    if (target) {
      host_ = target->ip;
      port_ = target->listening_port;
      proceed = true;
      break;
    }
    if (deadline_ms_ != 0 && core::unix_time_ms() >= deadline_ms_) {
      if (force_) {
        log::warn("FAILOVER: the target did not catch up before the timeout; forcing");
        proceed = true;
      } else {
        why = "Replica never caught up before timeout";
      }
      break;
    }
  }
  if (timer_ == &timer) timer_ = nullptr;
  if (proceed) {
    state_ = State::InProgress;
    why = co_await hand_over();
  }
  finish(why);
}

asio::awaitable<std::string> Failover::hand_over() {
  if (aborted_) co_return std::string("Failover manually aborted");
  // Demote first, so there is never a moment with two masters; our data stays, so we can roll
  // back if the target refuses. The link's first PSYNC carries FAILOVER: the target promotes
  // itself and we continue from it.
  auto& link = replication_.link();
  link.request_failover_psync();
  std::string error = co_await replication_.replicaof_between_groups(host_, port_);
  if (!error.empty()) {
    link.clear_failover_psync();
    co_return error;
  }
  log::info("FAILOVER: demoted; asking {}:{} to take over (PSYNC FAILOVER)", host_, port_);
  const uint64_t deadline = core::unix_time_ms() + kHandoverTimeout.count();
  asio::steady_timer timer(node_.io());
  timer_ = &timer;
  for (;;) {
    if (link.failover_psync() == ReplicaLink::FailoverPsync::Accepted) break;
    if (link.failover_psync() == ReplicaLink::FailoverPsync::Rejected) {
      error = "Failover target rejected psync request: " + link.failover_psync_reply();
      break;
    }
    if (aborted_ || node_.shutting_down()) {
      error = "Failover manually aborted";
      break;
    }
    if (core::unix_time_ms() >= deadline) {
      error = "Failover target did not answer PSYNC FAILOVER within " +
              std::to_string(kHandoverTimeout.count()) + " ms";
      break;
    }
    timer.expires_after(kPoll);
    co_await timer.async_wait(kNoThrow);
  }
  if (timer_ == &timer) timer_ = nullptr;
  link.clear_failover_psync();
  if (error.empty()) {
    log::info("FAILOVER: {}:{} is the master now; following it", host_, port_);
    co_return error;
  }
  // Roll back: master again, with a new replication id (the old one kept as replid2, so our
  // replicas continue with a partial resync), as Redis's abortFailover does.
  std::string rollback = co_await replication_.promote_between_groups();
  if (!rollback.empty()) error += "; rolling back failed too: " + rollback;
  co_return error;
}

void Failover::finish(const std::string& why) {
  if (why.empty()) {
    log::info("FAILOVER to {}:{} completed", host_, port_);
  } else {
    log::warn("FAILOVER aborted: {}", why);
  }
  node_.keyspace().active_expiry = !node_.is_replica();
  state_ = State::None;
  node_.pipeline().resume_client_writes();
}

}  // namespace basalt::replication
