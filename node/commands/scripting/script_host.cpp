// node/commands/scripting/script_host.cpp — see script_host.h.
#include "node/commands/scripting/script_host.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/dispatcher.h"
#include "node/commands/scripting/function_cmds.h"
#include "node/commands/scripting/script_fiber.h"
#include "node/commands/scripting/script_thread.h"
#include "node/commands/subcommand.h"
#include "node/commands/transactions/multi_exec_wrap.h"
#include "node/core/memory_limit.h"
#include "node/core/node.h"
#include "node/core/repl_stream.h"
#include "node/scripting/shebang.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace asio = boost::asio;

namespace {

constexpr int kKill = 1, kAbort = 2;
// How long a script runs inline on the event loop before it is set aside to the script
// thread. Scripts are usually microseconds long; one that is still running after this is
// a long one, for which the handoffs cost little and serving -BUSY / SCRIPT KILL matters.
constexpr auto kInlineSlice = std::chrono::milliseconds(5);
constexpr const char* kKilledText = "Script killed by user with SCRIPT KILL...";

std::map<const core::Node*, std::unique_ptr<ScriptHost>>& hosts() {
  static std::map<const core::Node*, std::unique_ptr<ScriptHost>> all;
  return all;
}

bool wrong_arity(const Spec& spec, size_t argc) {
  return (spec.arity > 0 && argc != static_cast<size_t>(spec.arity)) ||
         argc < static_cast<size_t>(spec.arity < 0 ? -spec.arity : 0);
}

// Whether a script may call `spec`, judged by the flags of `flags_from` (the subcommand's
// for a container command, as Redis: CLIENT ID is noscript, not CLIENT).
// `allow_noscript` (DEBUG SET-DISABLE-DENY-SCRIPTS) lets noscript commands through, except
// those that would run a script inside the script or change what the script's temporary
// client is (subscriptions, MONITOR); blocking and transaction commands are never run from a
// script.
bool script_may_call(const Spec& spec, const Spec& flags_from, bool allow_noscript) {
  if (flags_from.has(kMayBlock | kRunsInMulti)) return false;
  if (!flags_from.has(kNoScript)) return true;
  if (!allow_noscript || spec.has(kExecGroup | kSubscribedOk)) return false;
  return spec.name != "script" && spec.name != "monitor";
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

// What one running script carries between its redis.call commands (event loop only). It
// holds the parts of the EVAL's context that outlive the handler.
struct ScriptRun {
  core::Node& node;
  replication::Replication& replication;
  core::Keyspace& ks;
  core::Client client;  // the script's own client: its SELECT does not leak to the caller
  bool read_only = false;
  bool allow_oom = false;      // the allow-oom flag: deny-oom commands run even over maxmemory
  bool out_of_memory = false;  // over maxmemory when it started: deny-oom commands refused
  bool wrote = false;
  size_t propagated_commands = 0;
  core::ReplStream* stream = nullptr;
  size_t stream_start = 0;
  int db_before = -1;
  bool guarded = false;
  core::Keyspace::SavePoint point;

  ScriptRun(Context& c, bool read_only_)
      : node(c.node), replication(c.replication), ks(c.ks), read_only(read_only_) {
    client.id = c.client.id;
    client.db = c.client.db;
    client.addr = c.client.addr;
    client.laddr = c.client.laddr;
    client.name = c.client.name;
    client.authenticated = true;
    client.protocol_version = 2;
    stream = ks.stream();
    stream_start = stream ? stream->size() : 0;
    db_before = stream ? stream->selected_db() : -1;
    guarded = ks.writable();
    out_of_memory = ks.out_of_memory() && !c.node.is_replica();
    if (guarded) point = ks.save_point();
  }

  // redis.call / redis.pcall: Redis's script gates, then the dispatcher.
  void call(std::span<const std::string_view> argv, int repl_flags, std::string& out) {
    protocol::ReplyBuilder reply(out);
    const Spec* spec = table().find(argv[0]);
    if (!spec) return reply.error("ERR Unknown Redis command called from script");
    // As Redis, a container command is judged as its subcommand (unknown, arity, flags).
    const Spec* sub =
        spec->subcommand_count > 0 && argv.size() >= 2 ? find_subcommand(*spec, argv[1]) : nullptr;
    if (spec->subcommand_count > 0 && argv.size() >= 2 && !sub)
      return reply.error("ERR Unknown Redis command called from script");
    const Spec& judged = sub ? *sub : *spec;
    if (wrong_arity(judged, argv.size()))
      return reply.error("ERR Wrong number of args calling Redis command from script");
    if (!script_may_call(*spec, judged, script_host(node).disable_deny_scripts))
      return reply.error("ERR This Redis command is not allowed from script");
    bool writes = judged.has(kWrite);
    if (writes && (read_only || !ks.writable()))
      return reply.error("ERR Write commands are not allowed from read-only scripts.");
    // Read-only scripts may run anything they may run at all (allow-oom implied, as Redis).
    if (judged.has(kDenyOom) && !allow_oom && !read_only && out_of_memory)
      return reply.error(core::kOomError);
    size_t stream_before = stream ? stream->size() : 0;
    bool propagation = ks.propagation();
    if (!(repl_flags & scripting::kReplReplica)) ks.set_propagation(false);
    size_t reply_start = out.size();
    bool oom = ks.out_of_memory();
    ks.set_out_of_memory(false);  // judged above, with the script's flags
    run_command(node, replication, client, ks, reply, spec, argv);
    ks.set_out_of_memory(oom);
    ks.set_propagation(propagation);
    client.pending_block = nullptr;  // never set: blocking commands are refused above
    if (stream && stream->size() != stream_before) ++propagated_commands;
    if (writes && out.size() > reply_start && out[reply_start] != '-') wrote = true;
  }

  // After the script: its effects kept (wrapped in MULTI/EXEC when more than one command
  // propagated), or undone when it was stopped.
  void finish(bool undo) {
    if (undo) {
      if (guarded) ks.rollback(point);
      return;
    }
    if (guarded) ks.release(point);
    if (stream && propagated_commands > 1) wrap_in_multi_exec(*stream, stream_start, db_before);
  }
};

ScriptHost& script_host(core::Node& node) {
  auto it = hosts().find(&node);
  if (it == hosts().end()) it = hosts().emplace(&node, std::make_unique<ScriptHost>()).first;
  return *it->second;
}

void attach_scripting(core::Node& node) {
  ScriptHost& host = script_host(node);
  // The FUNCTION libraries: from the store now, and again whenever a full sync replaces it.
  load_stored_functions(node);
  node.add_dataset_replaced_hook([&node] { load_stored_functions(node); });
  // A shutdown (SHUTDOWN NOSAVE while busy, a signal) must not wait for an endless script.
  node.add_shutdown_hook([&host] { host.abort(); });
}

void detach_scripting(core::Node& node) {
  hosts().erase(&node);
}

ScriptHost::ScriptHost() : thread_(std::make_unique<ScriptThread>()) {}
ScriptHost::~ScriptHost() = default;

std::string ScriptHost::kill() {
  return request_kill(false);
}

std::string ScriptHost::kill_function() {
  return request_kill(true);
}

std::string ScriptHost::request_kill(bool function) {
  if (!running_) return "NOTBUSY No scripts in execution right now.";
  if (running_->wrote)
    return "UNKILLABLE Sorry the script already executed write commands against the dataset. "
           "You can either wait the script termination or kill the server in a hard way using "
           "the SHUTDOWN NOSAVE command.";
  // As Redis: a function is FUNCTION KILL's, an EVAL is SCRIPT KILL's.
  if (function != (running_function_ != nullptr))
    return std::string("BUSY Redis is busy running a script. You can only call ") +
           (running_function_ ? "FUNCTION" : "SCRIPT") + " KILL or SHUTDOWN NOSAVE.";
  stop_request_ = kKill;
  return {};
}

void ScriptHost::abort() {
  if (running_) stop_request_ = kAbort;
}

void ScriptHost::run_inline(ScriptRun& run, const std::string& label,
                            std::span<const std::string_view> keys,
                            std::span<const std::string_view> args, protocol::ReplyBuilder& reply,
                            const ScriptBody& body) {
  // Inside EXEC: on the event loop, capped at busy-reply-threshold.
  auto limit_ms = run.node.config().busy_reply_threshold;
  auto started = std::chrono::steady_clock::now();
  bool stopped = false;
  scripting::ScriptHooks hooks;
  hooks.call = [&run](std::span<const std::string_view> argv, int repl, std::string& out) {
    run.call(argv, repl, out);
  };
  hooks.log = log_from_script;
  hooks.should_stop = [&]() -> std::string {
    if (limit_ms <= 0) return {};
    if (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(limit_ms)) return {};
    stopped = true;
    return "Script stopped by basalt: it ran longer than busy-reply-threshold (" +
           std::to_string(limit_ms) + " ms) inside MULTI/EXEC; its writes were undone";
  };
  body(keys, args, reply, hooks);
  if (stopped)
    log::warn("{} ran longer than busy-reply-threshold ({} ms) inside EXEC: stopped, writes undone",
              label, limit_ms);
  run.finish(stopped);
}

// One script or function begun in a write group: what its fiber, the event loop and (once it
// is set aside) the script thread share.
struct ScriptJob {
  std::shared_ptr<ScriptRun> run;
  std::string label;  // "script <sha>" / "function <name>", for the log
  ScriptHost::ScriptBody body;
  std::shared_ptr<ScriptHost::RunningFunction> function;  // FCALL: what FUNCTION STATS shows
  std::vector<std::string> keys, args;
  std::string reply;
  std::unique_ptr<ScriptFiber> fiber;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point slice_end;  // inline until then
  bool on_thread = false;                           // set by the fiber just before it is set aside
  scripting::ScriptHooks hooks;
};

std::unique_ptr<ScriptFiber> ScriptHost::take_fiber() {
  if (spare_fiber_) return std::move(spare_fiber_);
  return std::make_unique<ScriptFiber>();
}

void ScriptHost::give_back(std::unique_ptr<ScriptFiber> fiber) {
  if (fiber && fiber->idle()) spare_fiber_ = std::move(fiber);
}

void ScriptHost::run(Context& c, const std::string& sha, size_t numkeys, bool read_only) {
  uint32_t flags = cache_.find(sha)->flags;
  auto run = std::make_shared<ScriptRun>(c, read_only || (flags & scripting::kNoWrites));
  run->allow_oom = flags & scripting::kAllowOom;
  ScriptBody body = [this, sha](std::span<const std::string_view> keys,
                                std::span<const std::string_view> args,
                                protocol::ReplyBuilder& reply, scripting::ScriptHooks& hooks) {
    vm_.run(sha, keys, args, reply, hooks);
  };
  execute(c, std::move(run), numkeys, "script " + sha, std::move(body), nullptr);
}

void ScriptHost::run_function(Context& c, const scripting::FunctionInfo& fn, size_t numkeys,
                              bool read_only) {
  auto run = std::make_shared<ScriptRun>(c, read_only || (fn.flags & scripting::kNoWrites));
  run->allow_oom = fn.flags & scripting::kAllowOom;
  auto running = std::make_shared<RunningFunction>();
  running->name = fn.name;
  running->command.assign(c.argv.begin(), c.argv.end());
  // A copy: the library may go (FUNCTION DELETE in the same group) once this command is done.
  ScriptBody body = [this, info = fn](std::span<const std::string_view> keys,
                                      std::span<const std::string_view> args,
                                      protocol::ReplyBuilder& reply,
                                      scripting::ScriptHooks& hooks) {
    functions_.run(info, keys, args, reply, hooks);
  };
  execute(c, std::move(run), numkeys, "function " + fn.name, std::move(body), std::move(running));
}

void ScriptHost::execute(Context& c, std::shared_ptr<ScriptRun> run, size_t numkeys,
                         std::string label, ScriptBody body,
                         std::shared_ptr<RunningFunction> function) {
  run->out_of_memory = over_maxmemory(c);
  std::vector<std::string> keys(c.argv.begin() + 3, c.argv.begin() + 3 + numkeys);
  std::vector<std::string> args(c.argv.begin() + 3 + numkeys, c.argv.end());

  if (!c.client.group_can_continue) {
    std::vector<std::string_view> key_views(keys.begin(), keys.end());
    std::vector<std::string_view> arg_views(args.begin(), args.end());
    run_inline(*run, label, key_views, arg_views, c.reply, body);
    return;
  }

  auto job = std::make_shared<ScriptJob>();
  job->run = run;
  job->label = std::move(label);
  job->body = std::move(body);
  job->function = std::move(function);
  job->keys = std::move(keys);
  job->args = std::move(args);
  job->started = std::chrono::steady_clock::now();
  job->slice_end = job->started + kInlineSlice;
  ScriptJob* j = job.get();  // the hooks live in the job: no cycle through a shared_ptr
  // Past the slice, the fiber is set aside; the loop hands it to the script thread.
  auto move_if_late = [j] {
    if (j->on_thread || std::chrono::steady_clock::now() < j->slice_end) return;
    j->on_thread = true;
    j->fiber->suspend();  // continues on the script thread
  };
  j->hooks.call = [j, move_if_late](std::span<const std::string_view> argv, int repl,
                                    std::string& reply) {
    if (!j->on_thread) {
      // On the event loop: the command runs right here.
      j->run->call(argv, repl, reply);
      move_if_late();
      return;
    }
    // On the script thread: the command runs on the event loop; wait for its reply.
    std::promise<void> ran;
    auto ready = ran.get_future();
    asio::post(j->run->node.io(), [&] {
      j->run->call(argv, repl, reply);
      ran.set_value();
    });
    ready.wait();
  };
  j->hooks.log = log_from_script;
  j->hooks.should_stop = [this, j, move_if_late]() -> std::string {
    move_if_late();
    if (!j->on_thread) return {};  // inline: nothing else runs, nobody can ask it to stop
    int request = stop_request_.load();
    if (request == kKill) return kKilledText;
    if (request == kAbort) return "Script stopped: the server is shutting down";
    return {};
  };

  // Inline first, on the event loop: most scripts end within the slice.
  stop_request_ = 0;
  job->fiber = take_fiber();
  try {
    job->fiber->start([j] {
      std::vector<std::string_view> key_views(j->keys.begin(), j->keys.end());
      std::vector<std::string_view> arg_views(j->args.begin(), j->args.end());
      protocol::ReplyBuilder reply(j->reply);
      j->body(key_views, arg_views, reply, j->hooks);
    });
  } catch (...) {
    run->finish(true);  // the dispatcher answers the error; the script's writes are undone
    throw;
  }
  if (job->fiber->idle()) {
    give_back(std::move(job->fiber));
    c.reply.buffer().append(job->reply);
    run->finish(false);
    return;
  }

  // Set aside: it goes on on the script thread, the pipeline awaits this before the group's
  // next command; meanwhile the loop serves (held commands, -BUSY, SCRIPT/FUNCTION KILL,
  // SHUTDOWN).
  ++moved_to_thread_;
  std::string* out = &c.reply.buffer();
  c.client.group_continuation = [this, job, out]() -> asio::awaitable<void> {
    auto& node = job->run->node;
    auto& io = node.io();
    asio::steady_timer done(io, asio::steady_timer::time_point::max());
    bool finished = false;
    std::exception_ptr error;
    running_ = job->run.get();
    running_function_ = job->function;
    node.script_busy().begin(job->function != nullptr);  // BUSY counts from here
    thread_->submit([&] {
      try {
        job->fiber->resume();
      } catch (...) {
        error = std::current_exception();
      }
      asio::post(io, [&] {
        finished = true;
        done.cancel();
      });
    });
    while (!finished) co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
    int request = stop_request_.exchange(0);
    running_ = nullptr;
    running_function_.reset();
    node.script_busy().end();
    give_back(std::move(job->fiber));
    if (error) {
      // A bug or an allocation failure on the script thread: one error reply, writes undone.
      std::string what = "unknown error";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      log::error("{} failed: {}", job->label, what);
      protocol::ReplyBuilder(*out).error("ERR internal error while running a script: " + what);
      job->run->finish(true);
      co_return;
    }
    if (request == kKill)
      log::warn("{} killed by {} KILL", job->label, job->function ? "FUNCTION" : "SCRIPT");
    if (request == kAbort) log::warn("{} stopped by shutdown: its writes undone", job->label);
    out->append(job->reply);
    job->run->finish(request != 0);
  };
}

bool ScriptHost::over_maxmemory(Context& c) {
  if (c.ks.out_of_memory()) return true;
  auto maxmemory = c.node.config().maxmemory;
  if (maxmemory <= 0 || c.node.is_replica() || c.client.is_master_link) return false;
  uint64_t lua = functions_.memory_bytes() + vm_.memory_bytes();
  return c.ks.dataset_bytes() + lua > static_cast<uint64_t>(maxmemory);
}

}  // namespace basalt::commands
