// node/commands/scripting/script_host.cpp — see script_host.h.
#include "node/commands/scripting/script_host.h"

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/dispatcher.h"
#include "node/commands/transactions/multi_exec_wrap.h"
#include "node/core/node.h"
#include "node/core/repl_stream.h"
#include "node/scripting/shebang.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace {

std::map<const core::Node*, std::unique_ptr<ScriptHost>>& hosts() {
  static std::map<const core::Node*, std::unique_ptr<ScriptHost>> all;
  return all;
}

// What one running script carries between its redis.call commands.
struct ScriptRun {
  Context& caller;
  core::Client client;  // the script's own client: its SELECT does not leak to the caller
  bool read_only = false;
  bool wrote = false;
  size_t propagated_commands = 0;
};

bool wrong_arity(const Spec& spec, size_t argc) {
  return (spec.arity > 0 && argc != static_cast<size_t>(spec.arity)) ||
         argc < static_cast<size_t>(spec.arity < 0 ? -spec.arity : 0);
}

// redis.call / redis.pcall: Redis's script gates, then the dispatcher.
void call_from_script(ScriptRun& run, std::span<const std::string_view> argv, int repl_flags,
                      std::string& out) {
  protocol::ReplyBuilder reply(out);
  const Spec* spec = table().find(argv[0]);
  if (!spec) return reply.error("ERR Unknown Redis command called from script");
  if (wrong_arity(*spec, argv.size()))
    return reply.error("ERR Wrong number of args calling Redis command from script");
  if (spec->has(kNoScript | kMayBlock | kRunsInMulti))
    return reply.error("ERR This Redis command is not allowed from script");
  if (spec->has(kBarrier))
    return reply.error(
        "ERR basalt does not run FLUSHDB or FLUSHALL from scripts (their range deletions "
        "can't join a script's write group)");
  bool writes = spec->has(kWrite);
  Context& c = run.caller;
  if (writes && run.read_only)
    return reply.error("ERR Write commands are not allowed from read-only scripts.");
  if (writes && !c.ks.writable())
    return reply.error("ERR Write commands are not allowed from read-only scripts.");
  core::ReplStream* stream = c.ks.stream();
  size_t stream_before = stream ? stream->size() : 0;
  bool propagation = c.ks.propagation();
  if (!(repl_flags & scripting::kReplReplica)) c.ks.set_propagation(false);
  size_t reply_start = out.size();
  run_command(c.node, c.replication, run.client, c.ks, reply, spec, argv);
  c.ks.set_propagation(propagation);
  run.client.pending_block = nullptr;  // never set: blocking commands are refused above
  if (stream && stream->size() != stream_before) ++run.propagated_commands;
  if (writes && out.size() > reply_start && out[reply_start] != '-') run.wrote = true;
}

void log_from_script(int level, std::string_view message) {
  switch (level) {
    case 0:
    case 1:
      log::debug("script: {}", message);
      break;
    case 2:
      log::info("script: {}", message);
      break;
    default:
      log::warn("script: {}", message);
  }
}

}  // namespace

ScriptHost& script_host(core::Node& node) {
  auto it = hosts().find(&node);
  if (it == hosts().end()) it = hosts().emplace(&node, std::make_unique<ScriptHost>()).first;
  return *it->second;
}

void attach_scripting(core::Node& node) { script_host(node); }

void detach_scripting(core::Node& node) { hosts().erase(&node); }

void ScriptHost::run(Context& c, const std::string& sha, uint32_t script_flags, size_t numkeys,
                     bool read_only) {
  ScriptRun run{c, {}, read_only || (script_flags & scripting::kNoWrites), false, 0};
  run.client.id = c.client.id;
  run.client.db = c.client.db;
  run.client.addr = c.client.addr;
  run.client.laddr = c.client.laddr;
  run.client.name = c.client.name;
  run.client.authenticated = true;
  run.client.protocol_version = 2;

  std::vector<std::string_view> keys(c.argv.begin() + 3, c.argv.begin() + 3 + numkeys);
  std::vector<std::string_view> args(c.argv.begin() + 3 + numkeys, c.argv.end());

  core::ReplStream* stream = c.ks.stream();
  size_t stream_start = stream ? stream->size() : 0;
  int db_before = stream ? stream->selected_db() : -1;
  bool guarded = c.ks.writable();
  core::Keyspace::SavePoint point;
  if (guarded) point = c.ks.save_point();

  auto limit_ms = c.node.config().busy_reply_threshold;
  auto started = std::chrono::steady_clock::now();
  bool stopped = false;
  scripting::ScriptHooks hooks;
  hooks.call = [&run](std::span<const std::string_view> argv, int repl, std::string& out) {
    call_from_script(run, argv, repl, out);
  };
  hooks.log = log_from_script;
  hooks.should_stop = [&]() -> std::string {
    if (limit_ms <= 0) return {};
    auto elapsed = std::chrono::steady_clock::now() - started;
    if (elapsed < std::chrono::milliseconds(limit_ms)) return {};
    stopped = true;
    return "Script stopped by basalt: it ran longer than busy-reply-threshold (" +
           std::to_string(limit_ms) + " ms); its writes were undone";
  };
  ++scripts_run_;
  vm_.run(sha, keys, args, c.reply, hooks);
  if (stopped) {
    log::warn("script {} ran longer than busy-reply-threshold ({} ms): stopped, writes undone",
              sha, limit_ms);
    if (guarded) c.ks.rollback(point);
    return;
  }
  if (guarded) c.ks.release(point);
  // Effects replication: more than one propagated command goes as one MULTI/EXEC.
  if (stream && run.propagated_commands > 1) wrap_in_multi_exec(*stream, stream_start, db_before);
}

}  // namespace basalt::commands
