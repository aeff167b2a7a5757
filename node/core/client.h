// node/core/client.h — per-connection state that commands read and change (selected db,
// name, flags) and that CLIENT LIST / INFO report.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::util {
class Stream;
}

namespace basalt::core {

namespace acl {
class User;
}

struct Client {
  uint64_t id = 0;
  std::string name;
  uint16_t db = 0;
  std::string addr;   // "ip:port" of the peer
  std::string laddr;  // "ip:port" of our side
  int fd = -1;
  uint64_t created_ms = 0;
  uint64_t last_interaction_ms = 0;
  std::string last_command = "NULL";
  uint64_t commands_processed = 0;
  size_t query_buffer_bytes = 0;
  size_t output_buffer_bytes = 0;
  bool close_after_reply = false;
  bool authenticated = true;
  // The ACL user the client runs as (node/core/acl.h); null once that user is deleted (the
  // client is being closed).
  const acl::User* user = nullptr;
  bool is_master_link = false;  // the replica's link to its master: applies the stream as-is
  bool is_replica = false;      // a replica attached to us
  bool is_monitor = false;      // in MONITOR mode (node/core/monitors.h)
  int protocol_version = 2;
  // Closes the connection from outside its coroutine (CLIENT KILL, shutdown).
  std::function<void()> kill;

  // Replication handshake state (REPLCONF / PSYNC from a replica).
  int replica_listening_port = 0;
  std::string replica_announced_ip;  // REPLCONF ip-address (replica-announce-ip), if sent
  // PSYNC: the connection hands its stream (plain or TLS) over to replication for good (after
  // sending the replies before it); the connection ends when this returns.
  std::function<boost::asio::awaitable<void>(util::Stream&)> take_connection;
  // A command that must wait (WAIT, blocking pops): the connection awaits it, appending
  // its reply to the output, before running the next command.
  std::function<boost::asio::awaitable<void>(std::string& out)> pending_block;
  // Set by the write pipeline while it runs this client's command in a group: the command
  // may leave `group_continuation` (EVAL: the script's run), which the pipeline awaits right
  // after the handler, before the group's next command, with the group's keyspace view intact.
  bool group_can_continue = false;
  std::function<boost::asio::awaitable<void>()> group_continuation;

  // MULTI / EXEC (node/commands/transactions/transactions.cpp): the queued commands own their
  // arguments (the read buffer is reused); multi_dirty makes EXEC abort (EXECABORT).
  bool in_multi = false;
  bool multi_dirty = false;
  bool in_exec = false;  // EXEC is running the queued commands (ACL LOG's "multi" context)
  std::vector<std::vector<std::string>> multi_queue;
  size_t multi_queue_bytes = 0;  // argument bytes queued (capped at client-query-buffer-limit)
  // WATCH (node/core/watch_registry.h): watch_dirty makes EXEC answer a null array.
  struct WatchedKey {
    uint16_t db;
    std::string key;
    bool expired;  // already logically expired when watched (Redis ignores its deletion)
  };
  std::vector<WatchedKey> watched;
  bool watch_dirty = false;

  // Pub/Sub (node/core/pubsub_registry.h): messages for this client wait in `outbox` until
  // the connection's writer sends them; `wake_writer` wakes it. `writing` is true while
  // any coroutine writes to the socket (one writer at a time).
  size_t subscriptions = 0;          // channels + patterns
  size_t pattern_subscriptions = 0;  // patterns only
  std::string outbox;
  bool writing = false;
  // Output limits (node/core/output_limits.h): bytes a writer is sending right now, and since
  // when the unsent output has been over the soft limit (0: it is not).
  uint64_t output_in_flight = 0;
  uint64_t soft_limit_since_ms = 0;
  std::function<void()> wake_writer;
};

// Redis's connIsLocal: a peer at 127.x.x.x or ::1 (or 127.x mapped into IPv6 by a dual-stack
// listener). protected-mode and enable-debug-command local trust only these.
inline bool is_loopback_ip(std::string_view ip) {
  return ip.starts_with("127.") || ip == "::1" || ip.starts_with("::ffff:127.");
}
inline bool is_local_client(const Client& c) {
  const size_t colon = c.addr.rfind(':');
  return colon != std::string::npos && is_loopback_ip(std::string_view(c.addr).substr(0, colon));
}

}  // namespace basalt::core
