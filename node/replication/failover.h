// node/replication/failover.h — FAILOVER (Redis 6.2+ semantics) on a master: pause the
// clients' writes, wait until the target replica (or, without TO, any replica) has acked
// the whole stream, make the target promote itself (REPLICAOF NO ONE over a client
// connection, with masterauth), then follow it (the REPLICAOF path, persisted). A TIMEOUT
// without FORCE, FAILOVER ABORT or a refused handover ends it and resumes the writes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::core {
class Node;
}

namespace basalt::replication {

class Replication;
struct ReplicaFeed;

class Failover {
 public:
  Failover(core::Node& node, Replication& replication);

  // FAILOVER [TO host port] [TIMEOUT ms] [FORCE], arguments already parsed and checked
  // against the syntax: "" (started; the reply is OK) or the error reply, as redis-server.
  std::string start(const std::string& host, int port, bool has_target, uint64_t timeout_ms,
                    bool force);
  // FAILOVER ABORT: "" or the error reply.
  std::string abort();
  bool running() const { return state_ != State::None; }
  // INFO replication master_failover_state.
  std::string_view state_name() const;

 private:
  enum class State { None, WaitingForSync, InProgress };

  boost::asio::awaitable<void> run();
  // The replica that acked the whole stream (the target, or any without TO), or null.
  const ReplicaFeed* caught_up() const;
  // Promotes the target and follows it: "" or why not.
  boost::asio::awaitable<std::string> hand_over();
  // Sends `REPLICAOF NO ONE` to the target (AUTH with masterauth first): "" or why not.
  boost::asio::awaitable<std::string> promote_target();
  void finish(const std::string& why);

  core::Node& node_;
  Replication& replication_;
  State state_ = State::None;
  std::string host_;
  int port_ = 0;
  bool has_target_ = false;
  bool force_ = false;
  bool aborted_ = false;
  uint64_t deadline_ms_ = 0;  // 0: no timeout
  boost::asio::steady_timer* timer_ = nullptr;
};

}  // namespace basalt::replication
