// node/commands/replication/replication_cmds.cpp — REPLICAOF / SLAVEOF, REPLCONF (including
// basalt's `databases` announcement, see replication/sync_guard.h), PSYNC, WAIT and FAILOVER.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "node/commands/command_table.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"
#include "node/replication/replication.h"
#include "node/replication/sync_guard.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace {

// The reply comes once the new role is on disk (an error, and the old role, if it can't be).
// Outside a write group the change waits for the point between two groups; inside one (EXEC,
// or a pipelined read that also writes) it happens at once.
void replicaof(Context& c) {
  auto& replication = c.replication;
  bool promote = iequals(c.arg(1), "no") && iequals(c.arg(2), "one");
  int64_t port = 0;
  if (!promote) {
    if (!protocol::parse_i64(c.arg(2), port) || port < 0 || port > 65535) return c.not_integer();
    const auto& repl = c.node.repl();
    if (c.node.is_replica() && repl.master_host == c.arg(1) && repl.master_port == port) {
      return c.reply.simple("OK Already connected to specified master");
    }
  }
  std::string host(promote ? "" : c.arg(1));
  if (c.ks.writable()) {  // inside a write group
    std::string error =
        promote ? replication.promote() : replication.replicaof(host, static_cast<int>(port));
    return error.empty() ? c.reply.ok() : c.reply.error(error);
  }
  c.client.pending_block = [&replication, promote, host,
                            port](std::string& out) -> boost::asio::awaitable<void> {
    std::string error;  // (no co_await inside ?: — GCC miscompiles it)
    if (promote) {
      error = co_await replication.promote_between_groups();
    } else {
      error = co_await replication.replicaof_between_groups(host, static_cast<int>(port));
    }
    protocol::ReplyBuilder reply(out);
    if (error.empty()) {
      reply.ok();
    } else {
      reply.error(error);
    }
  };
}

void replconf(Context& c) {
  if (c.argc() % 2 == 0) return c.syntax_error();
  bool announce = false;
  for (size_t i = 1; i < c.argc(); i += 2) {
    std::string_view opt = c.arg(i);
    if (iequals(opt, "listening-port")) {
      int64_t port;
      if (!protocol::parse_i64(c.arg(i + 1), port)) return c.not_integer();
      c.client.replica_listening_port = static_cast<int>(port);
    } else if (iequals(opt, "ip-address")) {
      std::string_view ip = c.arg(i + 1);
      if (ip.size() >= 256) {  // Redis's NET_HOST_STR_LEN
        return c.reply.error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                             std::to_string(ip.size()) + " bytes");
      }
      c.client.replica_announced_ip = ip;
    } else if (iequals(opt, "databases")) {
      int64_t theirs;
      if (!protocol::parse_i64(c.arg(i + 1), theirs)) return c.not_integer();
      int ours = c.node.config().databases;
      if (theirs < ours) {
        // Keys in our databases past theirs would never reach them: refuse the link.
        std::string why = "databases mismatch: this master has " + std::to_string(ours) +
                          " databases and the replica " + std::to_string(theirs) +
                          " (start it with databases " + std::to_string(ours) + ")";
        log::warn("refusing replica {}: {}", c.client.addr, why);
        return c.reply.error("ERR " + why);
      }
      announce = true;
    } else if (iequals(opt, "capa") || iequals(opt, "rdb-only") ||
               iequals(opt, "rdb-filter-only")) {
      // Accepted; basalt replicas always speak PSYNC2 and the snapshot format.
    } else if (iequals(opt, "ack") || iequals(opt, "fack")) {
      return;  // ACKs are read by the replica's feed; never answered
    } else if (iequals(opt, "getack")) {
      if (c.client.is_master_link) c.replication.link().ack_requested();
      return;
    } else {
      return c.reply.error("ERR Unrecognized REPLCONF option: " + std::string(opt));
    }
  }
  if (!announce) return c.reply.ok();
  // A basalt replica decides before PSYNC whether it may follow us (sync_guard.h).
  replication::MasterAnnouncement a;
  a.databases = c.node.config().databases;
  for (auto n : c.node.keyspace().key_counts) a.keys += n;
  a.replid = c.node.repl().replid;
  a.replid2 = c.node.repl().replid2;
  c.reply.simple(replication::format_announcement(a));
}

// PSYNC replid offset [FAILOVER]. With FAILOVER (sent by a master that FAILOVER demoted, to its
// target): this node takes over as master first, if it shares the sender's history (the same
// replid), as Redis 6.2+ does; then the sender continues from us like any replica. A master
// refuses it.
void psync(Context& c) {
  if (c.client.is_master_link) return;
  const bool failover = c.argc() > 3 && iequals(c.arg(3), "failover");
  if (failover) {
    if (!c.node.is_replica()) return c.reply.error("ERR PSYNC FAILOVER can't be sent to a master.");
    if (c.arg(1) != c.node.repl().replid)
      return c.reply.error("ERR PSYNC FAILOVER replid must match my replid.");
  } else if (c.node.is_replica() && !c.replication.link().up()) {
    return c.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  int64_t offset;
  if (!protocol::parse_i64(c.arg(2), offset)) return c.not_integer();
  // From here on the connection is the replica's feed.
  replication::PsyncRequest request{std::string(c.arg(1)), offset};
  c.client.take_connection = [&replication = c.replication, &client = c.client, request,
                              failover](util::Stream& socket) -> boost::asio::awaitable<void> {
    if (failover) {
      log::info("MASTER MODE requested (PSYNC FAILOVER from {})", client.addr);
      std::string error = co_await replication.promote_between_groups();
      if (!error.empty()) {
        log::warn("FAILOVER request refused: can't become master: {}", error);
        std::string line = "-" + error + "\r\n";
        co_await boost::asio::async_write(socket, boost::asio::buffer(line),
                                          boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return;
      }
    }
    co_await replication.master().serve_replica(socket, client, request);
  };
}

void wait(Context& c) {
  if (c.node.is_replica()) {
    return c.reply.error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
        "if a replica is configured to be writable (which is not the default) writes to "
        "replicas are just local and are not propagated.");
  }
  int64_t numreplicas, timeout;
  if (!protocol::parse_i64(c.arg(1), numreplicas)) return c.not_integer();
  if (!protocol::parse_i64(c.arg(2), timeout))
    return c.reply.error("ERR timeout is not an integer or out of range");
  if (timeout < 0) return c.reply.error("ERR timeout is negative");
  uint64_t offset = c.node.repl().master_repl_offset;
  auto& master = c.replication.master();
  if (master.replicas_acked(offset) >= numreplicas) {
    return c.reply.integer(master.replicas_acked(offset));
  }
  c.client.pending_block = [&master, offset, numreplicas,
                            timeout](std::string& out) -> boost::asio::awaitable<void> {
    int64_t n = co_await master.wait_for_acks(offset, numreplicas, static_cast<uint64_t>(timeout));
    protocol::ReplyBuilder(out).integer(n);
  };
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: parsed as redis-server 7.0 does
// (the first error wins); the failover itself runs in replication/failover.cpp.
void failover(Context& c) {
  auto& fo = c.replication.failover();
  if (c.argc() == 2 && iequals(c.arg(1), "abort")) {
    std::string error = fo.abort();
    return error.empty() ? c.reply.ok() : c.reply.error(error);
  }
  int64_t timeout = 0, port = 0;
  bool force = false, has_target = false;
  std::string host;
  for (size_t j = 1; j < c.argc(); ++j) {
    if (iequals(c.arg(j), "timeout") && j + 1 < c.argc() && timeout == 0) {
      if (!protocol::parse_i64(c.arg(j + 1), timeout)) return c.not_integer();
      if (timeout <= 0) return c.reply.error("ERR FAILOVER timeout must be greater than 0");
      ++j;
    } else if (iequals(c.arg(j), "to") && j + 2 < c.argc() && !has_target) {
      if (!protocol::parse_i64(c.arg(j + 2), port)) return c.not_integer();
      host = c.arg(j + 1);
      has_target = true;
      j += 2;
    } else if (iequals(c.arg(j), "force") && !force) {
      force = true;
    } else {
      return c.syntax_error();
    }
  }
  std::string error =
      fo.start(host, static_cast<int>(port), has_target, static_cast<uint64_t>(timeout), force);
  return error.empty() ? c.reply.ok() : c.reply.error(error);
}

}  // namespace

void register_replication_commands(Table& t) {
  constexpr std::string_view R = "server";
  constexpr uint32_t admin = kAdmin | kNoScript | kStale;
  t.add(row("replicaof", 3, admin | kMayBlock, replicaof)
            .doc(R, "Make the server a replica of another"));
  t.add(row("slaveof", 3, admin | kMayBlock, replicaof)
            .doc(R, "Make the server a replica of another"));
  t.add(row("replconf", -1, admin | kLoading, replconf).doc(R, "Replication settings"));
  t.add(row("psync", -3, admin | kMayBlock, psync).doc(R, "Partial resynchronization"));
  t.add(row("failover", -1, admin, failover)
            .doc(R, "Start a coordinated failover between this server and one of its replicas"));
  t.add(row("wait", 3, kNoScript | kMayBlock, wait)
            .acl(kNoFamilyCategory | kCatConnection)
            .doc("generic", "Wait for the writes to reach replicas"));
}

}  // namespace basalt::commands
