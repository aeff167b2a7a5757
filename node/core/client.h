// node/core/client.h — per-connection state that commands read and change (selected db,
// name, flags) and that CLIENT LIST / INFO report.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace basalt::core {

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
  bool is_master_link = false;  // the replica's link to its master: applies the stream as-is
  bool is_replica = false;      // a replica attached to us
  int protocol_version = 2;
  // Closes the connection from outside its coroutine (CLIENT KILL, shutdown).
  std::function<void()> kill;

  // Replication handshake state (REPLCONF / PSYNC from a replica).
  int replica_listening_port = 0;
  bool psync_requested = false;
  std::string psync_replid;
  int64_t psync_offset = -1;
  // Set on our master's client when it sent REPLCONF GETACK.
  bool ack_requested = false;
  // A command that must wait (WAIT, blocking pops): the connection awaits it, appending
  // its reply to the output, before running the next command.
  std::function<boost::asio::awaitable<void>(std::string& out)> pending_block;
};

}  // namespace basalt::core
