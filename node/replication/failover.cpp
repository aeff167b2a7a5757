// node/replication/failover.cpp — see failover.h. The state machine runs in one coroutine:
// waiting-for-sync (writes paused, acks requested once, polled every 100 ms at a point
// between two write groups) then failover-in-progress (the handover), then no-failover.
#include "node/replication/failover.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/reply.h"
#include "node/replication/link_connect.h"
#include "node/replication/link_io.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using asio::ip::tcp;
using std::chrono::milliseconds;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr milliseconds kPoll(100);
constexpr milliseconds kHandoverTimeout(5000);

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
  asio::co_spawn(node_.io(), run(), asio::detached);
  return "";
}

std::string Failover::abort() {
  if (!running()) return "ERR No failover in progress.";
  aborted_ = true;
  if (timer_) timer_->cancel();
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

asio::awaitable<void> Failover::run() {
  std::string why;
  bool proceed = false;
  asio::steady_timer timer(node_.io());
  timer_ = &timer;
  for (;;) {
    timer.expires_after(kPoll);
    co_await timer.async_wait(kNoThrow);
    if (aborted_ || node_.shutting_down()) {
      why = "Failover manually aborted";
      break;
    }
    const ReplicaFeed* target = nullptr;
    co_await node_.pipeline().run_at_quiescent_point([&] { target = caught_up(); });
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
  timer_ = nullptr;
  if (proceed) {
    state_ = State::InProgress;
    why = co_await hand_over();
  }
  finish(why);
}

asio::awaitable<std::string> Failover::hand_over() {
  if (aborted_) co_return std::string("Failover manually aborted");
  std::string error = co_await promote_target();
  if (!error.empty()) co_return error;
  log::info("FAILOVER: {}:{} is the master now; following it", host_, port_);
  error = co_await replication_.replicaof_between_groups(host_, port_);
  co_return error;
}

asio::awaitable<std::string> Failover::promote_target() {
  std::string connect_error;
  auto connected = co_await connect_link(node_, host_, port_, kHandoverTimeout, connect_error);
  if (!connected) co_return "can't reach the target: " + connect_error;
  util::Stream& socket = *connected;
  LinkIo io(socket);
  std::string line;
  const auto& config = node_.config();
  if (!config.masterauth.empty()) {
    std::string auth = config.masteruser.empty()
                           ? protocol::multibulk({"AUTH", config.masterauth})
                           : protocol::multibulk({"AUTH", config.masteruser, config.masterauth});
    bool ok = co_await io.send(auth);
    if (ok) ok = co_await read_line(io, line, kHandoverTimeout);
    if (!ok || line.empty() || line[0] == '-') co_return "the target refused AUTH: " + line;
  }
  const std::string promote = protocol::multibulk({"REPLICAOF", "NO", "ONE"});
  bool ok = co_await io.send(promote);
  if (ok) ok = co_await read_line(io, line, kHandoverTimeout);
  if (!ok || line != "+OK") co_return "the target did not promote itself: " + line;
  co_return std::string();
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
