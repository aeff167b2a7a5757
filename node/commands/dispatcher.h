// node/commands/dispatcher.h — runs one command: the gates written once for every command
// (arity, auth, ACL, the node's state, the subscribed context, MULTI queueing), then the handler,
// then the stats, the slow log and MONITOR. The Dispatcher is the command runner the
// composition root hands to the node (the write pipeline and connections run commands
// through it).
#pragma once

#include <atomic>
#include <span>
#include <string>
#include <string_view>

#include "node/commands/command_table.h"
#include "node/core/client.h"
#include "node/core/command_runner.h"
#include "node/core/heavy_exec.h"
#include "node/core/keyspace.h"
#include "node/protocol/reply.h"

namespace basalt::core {
class Node;
}
namespace basalt::replication {
class Replication;
}

namespace basalt::commands {

// What the node's state refuses to a command with `flags` (kWrite, kDenyOom, kStale), checked
// in Redis's order: "OOM ..." (`out_of_memory`: over maxmemory with nothing left to evict,
// see Keyspace::out_of_memory; also any command being queued in MULTI, `queueing`), "MISCONF ..."
// (the store refuses writes), "NOREPLICAS ...", "READONLY ...", "MASTERDOWN ..."; "" if nothing.
// EXEC asks it with the flags of the commands it queued (Redis's mstate.cmd_flags).
std::string state_refusal(core::Node& node, const replication::Replication& replication,
                          const core::Client& client, uint32_t flags, bool queueing,
                          bool out_of_memory);

// Runs one command (`spec`: its row, null for an unknown name).
void run_command(core::Node& node, replication::Replication& replication, core::Client& client,
                 core::Keyspace& ks, protocol::ReplyBuilder& reply, const Spec* spec,
                 std::span<const std::string_view> argv);
// run_command in its three steps: the gates (true if the handler may run, else the refusal or
// QUEUED is in `reply`); the handler alone (touches nothing of the node beyond what the
// handler does; returns its time in microseconds); what follows (INFO commandstats and
// errorstats, the slow log, MONITOR, a doomed transaction; `handled`: the handler ran).
bool admit_command(core::Node& node, replication::Replication& replication, core::Client& client,
                   core::Keyspace& ks, protocol::ReplyBuilder& reply, const Spec* spec,
                   std::span<const std::string_view> argv);
uint64_t invoke_handler(core::Node& node, replication::Replication& replication,
                        core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                        const Spec& spec, std::span<const std::string_view> argv,
                        uint64_t& read_errors);
void account_command(core::Node& node, core::Client& client, protocol::ReplyBuilder& reply,
                     size_t reply_start, const Spec* spec, std::span<const std::string_view> argv,
                     bool handled, uint64_t usec);

// Also what EXEC means when its transaction runs as a heavy job (transactions/exec_off_loop.cpp).
class Dispatcher final : public core::CommandRunner, public core::ExecRunner {
 public:
  Dispatcher(core::Node& node, replication::Replication& replication)
      : node_(node), replication_(replication) {}
  // The row of `name`; the row found last is tried first (a pipeline mostly repeats one
  // command), then the table.
  const Spec* find(std::string_view name) const override;
  // A command from a client (not one EXEC runs): maxmemory eviction first, as Redis's
  // processCommand does, then the command.
  void run(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
           const Spec* spec, std::span<const std::string_view> argv) override;
  bool admit(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
             const Spec* spec, std::span<const std::string_view> argv) override;
  uint64_t invoke(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                  const Spec& spec, std::span<const std::string_view> argv,
                  uint64_t& read_errors) override;
  void account(core::Client& client, protocol::ReplyBuilder& reply, size_t reply_start,
               const Spec* spec, std::span<const std::string_view> argv, bool handled,
               uint64_t usec) override;

  bool open_exec(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                 const Spec& exec, std::span<const std::string_view> argv,
                 core::ExecPlan& plan) override;
  uint64_t run_exec(core::Client& client, core::Keyspace& view, protocol::ReplyBuilder& reply,
                    core::ExecPlan& plan, uint64_t& read_errors) override;
  void close_exec(core::Client& client, const core::ExecPlan& plan,
                  std::string_view replies) override;

 private:
  // maxmemory eviction before a client's command, as Redis's processCommand does.
  void evict_first(core::Client& client, core::Keyspace& ks);

  core::Node& node_;
  replication::Replication& replication_;
  // (Atomic: scripts look commands up from their own thread.)
  mutable std::atomic<const Spec*> last_found_{nullptr};
};

}  // namespace basalt::commands
