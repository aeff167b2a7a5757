// node/replication/replica_acks.cpp — the master side around its feeds: waking them when the
// stream grows, counting the replicas that acked (WAIT, min-replicas-to-write), asking them
// for ACKs, pinging them through the stream, and closing their connections.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/replication/master_side.h"

namespace basalt::replication {

namespace asio = boost::asio;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

MasterSide::MasterSide(core::Node& node) : node_(node), last_ping_ms_(core::unix_time_ms()) {}

void MasterSide::cron(uint64_t now_ms) {
  // Masters ping their replicas through the stream, so a replica can tell a quiet master
  // from a dead link (repl-ping-replica-period).
  const auto& config = node_.config();
  if (!node_.is_replica() && !feeds_.empty() &&
      now_ms - last_ping_ms_ >= static_cast<uint64_t>(config.repl_ping_replica_period) * 1000) {
    last_ping_ms_ = now_ms;
    node_.pipeline().post([](core::Keyspace& ks) {
      std::string_view ping[] = {"PING"};
      if (ks.stream()) ks.stream()->append_command(ping);
    });
  }
  const uint64_t offset = node_.repl().master_repl_offset;
  clock_.sample(now_ms, offset);
  uint64_t min_ack = offset;
  for (auto* feed : feeds_) min_ack = std::min(min_ack, feed->ack_offset);
  clock_.forget_acked(min_ack);
  // Keep the on-disk log within repl-backlog-size (more for attached replicas, never more
  // than repl-log-max-size).
  trim_log();
}

uint64_t MasterSide::unacked_age_ms(const ReplicaFeed& feed, uint64_t now_ms) const {
  return clock_.unacked_age_ms(now_ms, node_.repl().master_repl_offset, feed.ack_offset);
}

void MasterSide::stop() {
  for (auto* w : waiters_) w->cancel();
}

void MasterSide::disconnect_replicas() {
  tail_.clear();
  for (auto* feed : feeds_) kill_client(feed->client_id);
}

void MasterSide::kill_client(uint64_t id) {
  for (const auto& [client_id, client] : node_.clients()) {
    if (client_id == id && client->kill) client->kill();
  }
}

namespace {
constexpr size_t kTailBytes = 4u << 20;
}

void MasterSide::on_commit(uint64_t offset, std::string_view bytes) {
  if (feeds_.empty() || bytes.empty() || bytes.size() > offset) {
    tail_.clear();
    return;
  }
  const uint64_t first = offset - bytes.size() + 1;
  const std::string& replid = node_.repl().replid;
  if (tail_.empty() || tail_from_ + tail_.size() != first || tail_replid_ != replid) {
    tail_.clear();
    tail_from_ = first;
    tail_replid_ = replid;
  }
  tail_.append(bytes);
  if (tail_.size() > 2 * kTailBytes) {
    size_t drop = tail_.size() - kTailBytes;
    tail_.erase(0, drop);
    tail_from_ += drop;
  }
  for (auto* feed : feeds_) feed->waker->cancel();
}

bool MasterSide::read_tail(uint64_t from, uint64_t end, size_t max_bytes, std::string& out) const {
  const uint64_t tail_end = tail_from_ + tail_.size();  // one past the last byte held
  if (tail_.empty() || from < tail_from_ || from > end || end >= tail_end ||
      tail_replid_ != node_.repl().replid)
    return false;
  size_t n = static_cast<size_t>(std::min<uint64_t>(end - from + 1, max_bytes));
  out.append(tail_, static_cast<size_t>(from - tail_from_), n);
  return true;
}

uint64_t MasterSide::log_floor() const {
  uint64_t floor = UINT64_MAX;
  for (auto* feed : feeds_) floor = std::min(floor, feed->needed_from);
  return floor;
}

int MasterSide::good_replicas() const {
  uint64_t now = core::unix_time_ms();
  uint64_t max_lag_ms = static_cast<uint64_t>(node_.config().min_replicas_max_lag) * 1000;
  int good = 0;
  for (auto* feed : feeds_) {
    if (feed->state == "online" && now - feed->last_ack_ms <= max_lag_ms) ++good;
  }
  return good;
}

void MasterSide::request_acks() {
  if (feeds_.empty()) return;
  node_.pipeline().post([](core::Keyspace& ks) {
    std::string_view args[] = {"REPLCONF", "GETACK", "*"};
    if (ks.stream()) ks.stream()->append_command(args);
  });
}

int64_t MasterSide::replicas_acked(uint64_t offset) const {
  int64_t n = 0;
  for (auto* feed : feeds_) {
    if (feed->state == "online" && feed->ack_offset >= offset) ++n;
  }
  return n;
}

asio::awaitable<int64_t> MasterSide::wait_for_acks(uint64_t offset, int64_t numreplicas,
                                                   uint64_t timeout_ms) {
  if (replicas_acked(offset) >= numreplicas) co_return replicas_acked(offset);
  request_acks();
  asio::steady_timer timer(node_.io());
  if (timeout_ms == 0)
    timer.expires_at(asio::steady_timer::time_point::max());
  else
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
  waiters_.push_back(&timer);
  for (;;) {
    auto [ec] = co_await timer.async_wait(kNoThrow);
    if (!ec) break;  // timed out
    if (replicas_acked(offset) >= numreplicas || node_.shutting_down()) break;
  }
  std::erase(waiters_, &timer);
  co_return replicas_acked(offset);
}

}  // namespace basalt::replication
