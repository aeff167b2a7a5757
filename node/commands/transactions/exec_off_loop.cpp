// node/commands/transactions/exec_off_loop.cpp — EXEC as a heavy job (node/core/heavy_exec.h):
// the Dispatcher's three steps around the job. On the loop, EXEC's checks and every queued
// command's gates; off the loop, the admitted commands' handlers against the job's view, the
// reply array and the MULTI ... EXEC wrap of what they propagated; on the loop again, each
// command's statistics, slow log entry and MONITOR line.
#include <chrono>
#include <string>
#include <vector>

#include "node/commands/dispatcher.h"
#include "node/commands/transactions/exec_checks.h"
#include "node/commands/transactions/multi_exec_wrap.h"
#include "node/core/repl_stream.h"

namespace basalt::commands {

bool Dispatcher::open_exec(core::Client& client, core::Keyspace& ks, protocol::ReplyBuilder& reply,
                           const Spec& exec, std::span<const std::string_view> argv,
                           core::ExecPlan& plan) {
  Context c{node_, replication_, client, ks, reply, argv, exec};
  std::vector<std::vector<std::string>> queue;
  if (!take_transaction(c, queue)) return false;
  // Sized once: each command's views point into its own arguments, which never move again.
  plan.commands.resize(queue.size());
  // The gates, in order, as EXEC on the loop passes them (none of these commands changes what
  // a later one's gates read: no AUTH, CLIENT or CONFIG can be among them, and no gate reads
  // the db a queued SELECT switches to).
  client.in_exec = true;  // ACL LOG's "multi" context
  for (size_t k = 0; k < queue.size(); ++k) {
    auto& cmd = plan.commands[k];
    cmd.args = std::move(queue[k]);
    cmd.argv.assign(cmd.args.begin(), cmd.args.end());
    cmd.spec = table().find(cmd.argv[0]);
    protocol::ReplyBuilder gate(cmd.refusal);
    cmd.admitted = admit_command(node_, replication_, client, ks, gate, cmd.spec, cmd.argv);
  }
  client.in_exec = false;
  return true;
}

uint64_t Dispatcher::run_exec(core::Client& client, core::Keyspace& view,
                              protocol::ReplyBuilder& reply, core::ExecPlan& plan,
                              uint64_t& read_errors) {
  auto started = std::chrono::steady_clock::now();
  core::ReplStream* stream = view.stream();
  size_t stream_start = stream ? stream->size() : 0;
  int db_before = stream ? stream->selected_db() : -1;
  reply.array(plan.commands.size());
  for (auto& cmd : plan.commands) {
    cmd.reply_begin = reply.size();
    if (cmd.admitted)
      cmd.usec = invoke_handler(node_, replication_, client, view, reply, *cmd.spec, cmd.argv,
                                read_errors);
    else
      reply.raw(cmd.refusal);
    cmd.reply_end = reply.size();
  }
  if (stream) wrap_in_multi_exec(*stream, stream_start, db_before);
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
}

void Dispatcher::close_exec(core::Client& client, const core::ExecPlan& plan,
                            std::string_view replies) {
  std::string error;
  for (const auto& cmd : plan.commands) {
    // account_command reads only whether the reply is an error, and the error's text.
    std::string_view one = replies.substr(cmd.reply_begin, cmd.reply_end - cmd.reply_begin);
    error.clear();
    if (!one.empty() && one[0] == '-') error = one;
    protocol::ReplyBuilder reply(error);
    account_command(node_, client, reply, 0, cmd.spec, cmd.argv, cmd.admitted, cmd.usec);
  }
}

}  // namespace basalt::commands
