// node/core/command_runner.h — how the shared parts (the write pipeline, connections, the
// replication stream) find and run a command without knowing the command table: the commands
// part implements it (node/commands/dispatcher.h) and the composition root hands it to the node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "node/core/command_spec.h"

namespace basalt::protocol {
class ReplyBuilder;
}

namespace basalt::core {

struct Client;
class Keyspace;

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // The row of the command named `name` (any case); null if there is none.
  virtual const CommandSpec* find(std::string_view name) const = 0;
  // Runs one command whose row was looked up once, when it was read (`spec`: null for an
  // unknown name, which gets Redis's unknown-command error). Every gate (arity, auth, state,
  // MULTI queueing) applies here.
  virtual void run(Client& client, Keyspace& ks, protocol::ReplyBuilder& reply,
                   const CommandSpec* spec, std::span<const std::string_view> argv) = 0;

  // run() in three steps, for a heavy job (node/core/heavy_job.h) whose handler runs off the
  // event loop. admit: eviction and every gate, on the loop; true if the handler may run
  // (else the refusal, or QUEUED, is in `reply`). invoke: the handler alone, on any thread,
  // against a private view; returns its time in microseconds (storage read failures are
  // counted in `read_errors`). account: the statistics, slow log and MONITOR, on the loop.
  virtual bool admit(Client& client, Keyspace& ks, protocol::ReplyBuilder& reply,
                     const CommandSpec* spec, std::span<const std::string_view> argv) = 0;
  virtual uint64_t invoke(Client& client, Keyspace& ks, protocol::ReplyBuilder& reply,
                          const CommandSpec& spec, std::span<const std::string_view> argv,
                          uint64_t& read_errors) = 0;
  virtual void account(Client& client, protocol::ReplyBuilder& reply, size_t reply_start,
                       const CommandSpec* spec, std::span<const std::string_view> argv,
                       bool handled, uint64_t usec) = 0;
};

}  // namespace basalt::core
