// node/commands/command.h — what a command is: its table entry (name, arity, flags, key
// positions, handler) and the context a handler runs with, including the shared error replies.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "node/core/client.h"
#include "node/core/keyspace.h"
#include "node/protocol/reply.h"

namespace basalt::core {
class Node;
}

namespace basalt::commands {

enum Flag : uint32_t {
  kWrite = 1u << 0,     // changes data: runs in a write group and is refused on replicas
  kReadOnly = 1u << 1,  // reads data
  kAdmin = 1u << 2,
  kFast = 1u << 3,
  kStale = 1u << 4,  // allowed while a replica's link is down and stale data is off
  kLoading = 1u << 5,
  kNoScript = 1u << 6,
  kPubSub = 1u << 7,
  kDenyOom = 1u << 8,
  kNoAuth = 1u << 9,
  kBarrier = 1u << 10,  // must start a fresh write group (FLUSHDB, FLUSHALL)
  kInGroup = 1u << 11,  // not a write, but must run in order with writes (SELECT, ...)
  kSentinel = 1u << 12,
  kMayBlock = 1u << 13,      // may leave a wait for the connection (WAIT, PSYNC): ends a segment
  kExecGroup = 1u << 14,     // EXEC: runs its queued commands as one write group (also on replicas)
  kSkipSlowlog = 1u << 15,   // not in the slow log (EXEC: its commands are, one by one)
  kRunsInMulti = 1u << 16,   // runs at once inside MULTI instead of being queued (EXEC, WATCH, ...)
  kSubscribedOk = 1u << 17,  // a RESP2 client in subscribed mode may run it (SUBSCRIBE, PING, ...)
};

struct Context;
using Handler = void (*)(Context&);

struct Spec {
  std::string_view name;  // lowercase
  int arity;              // Redis convention: N exact, -N at least N
  uint32_t flags;
  Handler handler;
  int first_key = 0, last_key = 0, key_step = 0;
  std::string_view group = "generic";
  std::string_view summary = "";
  // Container commands (CLIENT, CONFIG, ...): their subcommands, each named "container|sub"
  // (see node/commands/subcommand.h).
  const Spec* subcommands = nullptr;
  size_t subcommand_count = 0;
  std::span<const Spec> subs() const { return {subcommands, subcommand_count}; }
};

struct Context {
  core::Node& node;
  core::Client& client;
  core::Keyspace& ks;
  protocol::ReplyBuilder& reply;
  std::span<const std::string_view> argv;
  const Spec& spec;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  uint16_t db() const { return client.db; }
  uint64_t now_ms() const { return ks.now_ms(); }

  // Looks a key up for reading, counting keyspace hits and misses as Redis does.
  void read_key(std::string_view key, core::Lookup& out) {
    ks.lookup(db(), key, out);
    if (out.live)
      ++ks.shared().keyspace_hits;
    else
      ++ks.shared().keyspace_misses;
  }
  void write_lookup(std::string_view key, core::Lookup& out) { ks.lookup(db(), key, out); }

  // Logs the command exactly as received.
  void propagate_as_is() { ks.propagate(db(), argv); }
  template <size_t N>
  void propagate(const std::string_view (&args)[N]) {
    ks.propagate(db(), args);
  }
  void propagate(std::span<const std::string_view> args) { ks.propagate(db(), args); }

  // The errors every family shares, worded as Redis words them.
  void syntax_error() { reply.error("ERR syntax error"); }
  void wrong_type() {
    reply.error("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
  void not_integer() { reply.error("ERR value is not an integer or out of range"); }
  void not_float() { reply.error("ERR value is not a valid float"); }
  void wrong_arity();
  // A database index argument (SELECT, MOVE, COPY ... DB): an int, then one of ours; false
  // after replying Redis's error otherwise.
  bool db_index_or_reply(std::string_view arg, uint16_t& out);
};

// Case-insensitive equality for option words ("EX", "nx", ...).
bool iequals(std::string_view a, std::string_view b);

}  // namespace basalt::commands
