// node/replication/failover.h — FAILOVER (Redis 6.2+ semantics) on a master: pause the
// clients' writes, wait until the target replica (or, without TO, any replica) has acked
// the whole stream, demote this node (the REPLICAOF path, persisted) and let its link ask the
// target to take over with `PSYNC <replid> <offset> FAILOVER`. A TIMEOUT without FORCE or
// FAILOVER ABORT while waiting ends it; a refused or unanswered PSYNC FAILOVER, or an ABORT
// during the handover, rolls back (master again, new replid). Then the writes resume.
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

  boost::asio::awaitable<void> run(uint64_t generation);
  // This run was ended (aborted while waiting) or replaced by a newer FAILOVER.
  bool ended(uint64_t generation) const { return generation != generation_ || !running(); }
  // The replica that acked the whole stream (the target, or any without TO), or null.
  const ReplicaFeed* caught_up() const;
  // Demotes this node and has the target take over: "" or why not (rolled back then).
  boost::asio::awaitable<std::string> hand_over();
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
  uint64_t generation_ = 0;  // one per FAILOVER started
};

}  // namespace basalt::replication
