// node/commands/dispatcher.cpp — see dispatcher.h.
#include "node/commands/dispatcher.h"

#include <cctype>
#include <chrono>

#include "node/commands/acl_gate.h"
#include "node/commands/subcommand.h"
#include "node/core/eviction.h"
#include "node/core/memory_limit.h"
#include "node/core/misconf.h"
#include "node/core/node.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::commands {

using core::Client;
using core::Keyspace;
using core::Node;

namespace {
void unknown_command(protocol::ReplyBuilder& reply, std::span<const std::string_view> argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += "'";
    args += argv[i].substr(0, room);
    args += "' ";
  }
  std::string msg = "ERR unknown command '";
  msg += argv[0].substr(0, 128);
  msg += "', with args beginning with: ";
  msg += args;
  reply.error(msg);
}

// enable-debug-command: "yes", or "local" for a client on the loopback address.
bool protected_allowed(Node& node, const Client& client) {
  const std::string& mode = node.config().enable_debug_command;
  return mode == "yes" || (mode == "local" && core::is_local_client(client));
}

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

void queue_in_multi(Client& client, protocol::ReplyBuilder& reply,
                    std::span<const std::string_view> argv, uint64_t max_bytes) {
  size_t bytes = 0;
  for (auto arg : argv) bytes += arg.size();
  // The queue holds copies: bounded like the query buffer it came through, or one client
  // could grow the node without limit one command at a time.
  if (client.multi_queue_bytes + bytes > max_bytes) {
    reply.error(
        "ERR MULTI queue over client-query-buffer-limit; the transaction is discarded at EXEC");
    return;
  }
  // Own copies: the arguments point into the connection's read buffer, reused by the next read.
  client.multi_queue.emplace_back(argv.begin(), argv.end());
  client.multi_queue_bytes += bytes;
  reply.simple("QUEUED");
}
}  // namespace

std::string state_refusal(Node& node, const replication::Replication& replication,
                          const Client& client, uint32_t flags, bool queueing, bool out_of_memory) {
  const auto& config = node.config();
  bool replica = node.is_replica();
  // Replicas and the master's stream are not limited (replica-ignore-maxmemory); over the
  // limit, queueing takes memory too, so MULTI refuses every command (Redis processCommand).
  if (out_of_memory && !replica && !client.is_master_link && ((flags & kDenyOom) || queueing))
    return std::string(core::kOomError);
  // The store refuses writes (a full disk, an I/O error): say so instead of failing later.
  if ((flags & kWrite) && !node.storage_health().writable())
    return core::misconf_error(node.storage_health().error());
  if ((flags & kWrite) && !replica && config.min_replicas_to_write > 0 &&
      config.min_replicas_max_lag > 0 && replication.good_replicas() < config.min_replicas_to_write)
    return "NOREPLICAS Not enough good replicas to write.";
  if ((flags & kWrite) && replica && !client.is_master_link && config.replica_read_only)
    return "READONLY You can't write against a read only replica.";
  if (replica && !client.is_master_link && !(flags & kStale) && !config.replica_serve_stale_data &&
      !replication.link_up())
    return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  // replica-max-lag-reads: a replica too far behind sends its readers to the master.
  if ((flags & kReadOnly) && replica && !client.is_master_link &&
      !config.replica_max_lag_reads.off())
    return replication.lagging_reads_refusal();
  return {};
}

namespace {
// The INFO commandstats entry of a call: the subcommand's for a container command
// ("client|list"); none for an unknown subcommand (Redis counts it nowhere).
const Spec* stats_entry(const Spec& spec, std::span<const std::string_view> argv) {
  if (spec.subcommand_count == 0) return &spec;
  return argv.size() >= 2 ? find_subcommand(spec, argv[1]) : &spec;
}

}  // namespace

// The gates every command passes before its handler runs (arity, auth, ACL, state, MULTI
// queueing); true if the handler may run, else the refusal (or QUEUED) is in `reply`.
bool admit_command(Node& node, replication::Replication& replication, Client& client, Keyspace& ks,
                   protocol::ReplyBuilder& reply, const Spec* spec,
                   std::span<const std::string_view> argv) {
  if (!spec) {
    unknown_command(reply, argv);
  } else if ((spec->arity > 0 && argv.size() != static_cast<size_t>(spec->arity)) ||
             argv.size() < static_cast<size_t>(spec->arity < 0 ? -spec->arity : 0)) {
    reply.error("ERR wrong number of arguments for '" + std::string(spec->name) + "' command");
  } else if (spec->has(kProtected) && !protected_allowed(node, client)) {
    // Before authentication, as Redis: the setting, not the caller, forbids it.
    reply.error("ERR " + upper(spec->name) +
                " command not allowed. If the enable-debug-command option is set to \"local\", "
                "you can run it from a local connection, otherwise you need to set this option "
                "in the configuration file, and then restart the server.");
  } else if (!client.authenticated && !(spec->flags & kNoAuth)) {
    reply.error("NOAUTH Authentication required.");
  } else if (std::string denied = acl_refusal(node, client, *spec, argv); !denied.empty()) {
    // Before queueing: a transaction with a refused command is aborted at EXEC, as Redis.
    reply.error(denied);
  } else if (std::string refusal = state_refusal(node, replication, client, spec->flags,
                                                 client.in_multi && !(spec->flags & kRunsInMulti),
                                                 ks.out_of_memory());
             !refusal.empty()) {
    reply.error(refusal);
  } else if (client.subscriptions > 0 && client.protocol_version == 2 &&
             !(spec->flags & kSubscribedOk)) {
    reply.error("ERR Can't execute '" + std::string(spec->name) +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                "this context");
  } else if (client.in_multi && !(spec->flags & kRunsInMulti)) {
    queue_in_multi(client, reply, argv,
                   static_cast<uint64_t>(node.config().client_query_buffer_limit));
  } else if ((spec->flags & kWrite) && !ks.writable()) {
    // A write reached a read-only view: a bug in routing, never silently dropped.
    reply.error("ERR internal error: write command outside a write group");
  } else {
    client.last_command = spec->name;  // before the handler: CLIENT LIST shows it, as Redis
    return true;
  }
  return false;
}

// The handler alone, its failures turned into one error reply with its writes undone.
// Touches nothing of the node beyond what the handler does (heavy jobs run it off the loop).
uint64_t invoke_handler(Node& node, replication::Replication& replication, Client& client,
                        Keyspace& ks, protocol::ReplyBuilder& reply, const Spec& spec,
                        std::span<const std::string_view> argv, uint64_t& read_errors) {
  Context ctx{node, replication, client, ks, reply, argv, spec};
  // Our master's commands need no save point of their own here: the write pipeline holds
  // one around each (run_master_command) and undoes it on any error reply, and a heavy job's
  // private view is dropped when it fails.
  bool guarded = ks.writable() && (spec.flags & kWrite) && !client.is_master_link;
  core::Keyspace::SavePoint point;
  if (guarded) point = ks.save_point();
  auto started = std::chrono::steady_clock::now();
  try {
    spec.handler(ctx);
    if (guarded) ks.release(point);
  } catch (const storage::ReadError& e) {
    // The store could not answer a read: the command ends here, undone, and says so.
    if (guarded) ks.rollback(point);
    ++read_errors;
    log::error("command '{}': storage read failed: {}", spec.name, e.what());
    reply.error(std::string("ERR storage read failed: ") + e.what());
  } catch (const std::exception& e) {
    // A handler bug or an allocation failure must cost one error reply, never the
    // connection, the write pipeline or the process; its half-done writes are undone.
    if (guarded) ks.rollback(point);
    log::error("command '{}' failed: {}", spec.name, e.what());
    reply.error(std::string("ERR internal error while running '") + std::string(spec.name) +
                "': " + e.what());
  }
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
}

// What follows a command, run or refused: INFO commandstats and errorstats, the slow log,
// MONITOR, and a doomed transaction. `handled`: the handler was invoked.
void account_command(Node& node, Client& client, protocol::ReplyBuilder& reply, size_t reply_start,
                     const Spec* spec, std::span<const std::string_view> argv, bool handled,
                     uint64_t usec) {
  auto& stats = node.stats();
  bool ran = false;  // the handler ran (else an error reply is a rejection)
  if (handled) {
    const Spec* entry = stats_entry(*spec, argv);
    // run_subcommand names the client's last command after the subcommand once it runs it;
    // a subcommand refused for its arity did not run.
    ran = entry && (entry == spec || client.last_command == entry->name);
    if (ran) {
      auto& counters = stats.command(entry);
      ++counters.calls;
      counters.usec += usec;
      // EXEC's commands are logged one by one, not EXEC.
      if (!(spec->flags & kSkipSlowlog)) {
        const auto& config = node.config();
        node.slowlog().maybe_add(argv, usec, config.slowlog_log_slower_than, config.slowlog_max_len,
                                 client.addr, client.name);
      }
      // MONITOR shows what ran, except administrative commands (as Redis).
      if (!node.monitors().empty() && !(entry->flags & kAdmin))
        node.monitors().feed(client, client.db, argv,
                             {node.config().client_output_buffer_limit, core::unix_time_ms(),
                              stats.client_output_buffer_limit_disconnections});
    }
  }
  ++stats.total_commands_processed;
  ++client.commands_processed;
  if (reply.size() > reply_start && reply.buffer()[reply_start] == '-') {
    std::string_view error(reply.buffer().data() + reply_start + 1, reply.size() - reply_start - 1);
    stats.count_error(error);
    // From our master: this replica did not apply what the master did (the write pipeline
    // logs it and stops the stream there); counted as Redis does.
    if (client.is_master_link) ++stats.unexpected_error_replies;
    if (const Spec* entry = spec ? stats_entry(*spec, argv) : nullptr) {
      auto& counters = stats.command(entry);
      ++(ran ? counters.failed_calls : counters.rejected_calls);
    }
    // A command refused before it ran (or queued) dooms the transaction (EXECABORT).
    if (client.in_multi && (!spec || !(spec->flags & kRunsInMulti))) client.multi_dirty = true;
  }
}

void run_command(Node& node, replication::Replication& replication, Client& client, Keyspace& ks,
                 protocol::ReplyBuilder& reply, const Spec* spec,
                 std::span<const std::string_view> argv) {
  if (argv.empty()) return;
  size_t reply_start = reply.size();
  bool handled = admit_command(node, replication, client, ks, reply, spec, argv);
  uint64_t usec = 0;
  if (handled)
    usec = invoke_handler(node, replication, client, ks, reply, *spec, argv,
                          node.stats().storage_read_errors);
  account_command(node, client, reply, reply_start, spec, argv, handled, usec);
}

namespace {
// `name` (any case) is `row_name` (a table row's name: lower case, as Table::find needs).
bool names_row(std::string_view name, std::string_view row_name) {
  if (name.size() != row_name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != row_name[i]) return false;
  }
  return true;
}
}  // namespace

const Spec* Dispatcher::find(std::string_view name) const {
  const Spec* last = last_found_.load(std::memory_order_relaxed);
  if (last && names_row(name, last->name)) return last;
  const Spec* spec = table().find(name);
  if (spec) last_found_.store(spec, std::memory_order_relaxed);
  return spec;
}

void Dispatcher::evict_first(core::Client& client, core::Keyspace& ks) {
  bool oom = false;
  const auto& config = node_.config();
  // Replicas never evict on their own (replica-ignore-maxmemory): their master's DELs do.
  if (config.maxmemory > 0 && !node_.is_replica() && !client.is_master_link)
    oom = core::perform_evictions(ks, core::eviction_limits(config)) == core::EvictionResult::Fail;
  ks.set_out_of_memory(oom);
}

void Dispatcher::run(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                     const Spec* spec, std::span<const std::string_view> argv) {
  evict_first(client, ks);
  run_command(node_, replication_, client, ks, reply, spec, argv);
}

bool Dispatcher::admit(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                       const Spec* spec, std::span<const std::string_view> argv) {
  evict_first(client, ks);
  return admit_command(node_, replication_, client, ks, reply, spec, argv);
}

uint64_t Dispatcher::invoke(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                            const Spec& spec, std::span<const std::string_view> argv,
                            uint64_t& read_errors) {
  return invoke_handler(node_, replication_, client, ks, reply, spec, argv, read_errors);
}

void Dispatcher::account(core::Client& client, protocol::ReplyBuilder& reply, size_t reply_start,
                         const Spec* spec, std::span<const std::string_view> argv, bool handled,
                         uint64_t usec) {
  account_command(node_, client, reply, reply_start, spec, argv, handled, usec);
}

}  // namespace basalt::commands
