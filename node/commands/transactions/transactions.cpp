// node/commands/transactions/transactions.cpp — MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0).
// Queueing happens in dispatch (run_command): inside MULTI every command but
// EXEC/DISCARD/MULTI/WATCH/QUIT/RESET is copied into client.multi_queue and answered +QUEUED;
// a command refused there marks the transaction dirty (EXECABORT). EXEC is flagged
// kExecGroup, so it runs in the write pipeline and its queued commands form one atomic group;
// what they propagate is wrapped in MULTI ... EXEC, as Redis does. An EXEC whose transaction
// holds a heavy command runs off the event loop instead (node/core/heavy_exec.h,
// exec_off_loop.cpp), after the same checks (take_transaction).
// The stream of our master is applied as it comes: MULTI/EXEC from the master link are
// accepted but nothing is queued (each command's bytes are logged right after its effect).
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/dispatcher.h"
#include "node/commands/families.h"
#include "node/commands/transactions/exec_checks.h"
#include "node/commands/transactions/multi_exec_wrap.h"
#include "node/core/node.h"
#include "node/replication/replication.h"

namespace basalt::commands {

void end_transaction(Context& c) {
  c.client.in_multi = false;
  c.client.multi_dirty = false;
  c.client.multi_queue.clear();
  c.client.multi_queue_bytes = 0;
  c.node.watches().unwatch_all(c.client);
}

namespace {

void multi(Context& c) {
  if (c.client.is_master_link) return c.reply.ok();
  if (c.client.in_multi) return c.reply.error("ERR MULTI calls can not be nested");
  c.client.in_multi = true;
  c.client.multi_dirty = false;
  c.reply.ok();
}

void discard(Context& c) {
  if (!c.client.in_multi) return c.reply.error("ERR DISCARD without MULTI");
  end_transaction(c);
  c.reply.ok();
}

// A watched key that expired since WATCH counts as modified (Redis isWatchedKeyExpired).
void check_watched_expiry(Context& c) {
  for (const auto& w : c.client.watched) {
    if (w.expired || c.client.watch_dirty) continue;
    core::Lookup l;
    c.ks.lookup(w.db, w.key, l);  // a writable view deletes it, which marks us dirty
    if (c.ks.saw_expired()) c.client.watch_dirty = true;
  }
}

// Runs the queued commands, their replies as one array; what they propagate goes between
// MULTI and EXEC in the stream.
void run_queued(Context& c, std::vector<std::vector<std::string>>& queue) {
  core::ReplStream* stream = c.ks.stream();
  size_t stream_start = stream ? stream->size() : 0;
  int db_before = stream ? stream->selected_db() : -1;
  c.reply.array(queue.size());
  // Queued commands run inline: none may leave an in-group continuation (a queued EVAL runs
  // its script on the spot).
  c.client.group_can_continue = false;
  std::vector<std::string_view> argv;
  for (const auto& cmd : queue) {
    argv.assign(cmd.begin(), cmd.end());
    run_command(c.node, c.replication, c.client, c.ks, c.reply, table().find(argv[0]), argv);
    if (c.client.pending_block) {
      // Blocking commands never block inside a transaction: they time out at once, with
      // the reply their timeout gives (WAIT: the replicas that acknowledged so far).
      c.client.pending_block = nullptr;
      if (!argv.empty() && (iequals(argv[0], "blmove") || iequals(argv[0], "brpoplpush"))) {
        c.reply.null_bulk();
      } else if (!argv.empty() && iequals(argv[0], "wait")) {
        c.reply.integer(c.replication.master().replicas_acked(c.node.repl().master_repl_offset));
      } else {
        c.reply.null_array();
      }
    }
  }
  if (stream) wrap_in_multi_exec(*stream, stream_start, db_before);
}

// What the node's state refuses to the queued commands now (OOM, NOREPLICAS, READONLY,
// MASTERDOWN): the state may have changed since they were queued. Judged by the union of
// their flags (a command not allowed on stale data makes the whole EXEC so), as Redis does.
std::string refusal_at_exec(Context& c) {
  uint32_t flags = kStale;
  for (const auto& queued : c.client.multi_queue) {
    const Spec* spec = queued.empty() ? nullptr : table().find(queued[0]);
    if (!spec) continue;
    flags |= spec->flags & (kWrite | kDenyOom);
    if (!(spec->flags & kStale)) flags &= ~static_cast<uint32_t>(kStale);
  }
  return state_refusal(c.node, c.replication, c.client, flags, false, c.ks.out_of_memory());
}

}  // namespace

// EXEC's checks, in Redis's order (see exec_checks.h).
bool take_transaction(Context& c, std::vector<std::vector<std::string>>& queue) {
  if (c.client.is_master_link) {
    c.reply.array(0);
    return false;
  }
  if (!c.client.in_multi) {
    c.reply.error("ERR EXEC without MULTI");
    return false;
  }
  if (std::string refusal = refusal_at_exec(c); !refusal.empty()) {
    end_transaction(c);
    c.reply.error("EXECABORT Transaction discarded because of: " + refusal);
    return false;
  }
  if (c.client.multi_dirty) {
    end_transaction(c);
    c.reply.error("EXECABORT Transaction discarded because of previous errors.");
    return false;
  }
  check_watched_expiry(c);
  if (c.client.watch_dirty) {
    end_transaction(c);
    c.reply.null_array();
    return false;
  }
  queue = std::move(c.client.multi_queue);
  end_transaction(c);
  return true;
}

namespace {

void exec(Context& c) {
  std::vector<std::vector<std::string>> queue;
  if (!take_transaction(c, queue)) return;
  c.client.in_exec = true;
  run_queued(c, queue);
  c.client.in_exec = false;
}

void watch(Context& c) {
  if (c.client.in_multi) return c.reply.error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < c.argc(); ++i) {
    core::Lookup l;
    c.ks.lookup(c.db(), c.arg(i), l);
    c.node.watches().watch(c.client, c.db(), c.arg(i), l.present && !l.live);
  }
  c.reply.ok();
}

void unwatch(Context& c) {
  c.node.watches().unwatch_all(c.client);
  c.reply.ok();
}

constexpr std::string_view kTx = "transactions";

}  // namespace

void register_transactions_commands(Table& t) {
  constexpr uint32_t kBase = kNoScript | kLoading | kStale;
  t.add(row("multi", 1, kBase | kFast | kRunsInMulti, multi).doc(kTx, "Start a transaction"));
  t.add(row("exec", 1, kBase | kExecGroup | kSkipSlowlog | kRunsInMulti, exec)
            .doc(kTx, "Execute all commands issued after MULTI"));
  t.add(row("discard", 1, kBase | kFast | kRunsInMulti, discard)
            .doc(kTx, "Discard all commands issued after MULTI"));
  t.add(row("watch", -2, kBase | kFast | kRunsInMulti | kAfterWrites, watch)
            .keys(1, -1, 1)
            .doc(kTx, "Watch the given keys to determine execution of the MULTI/EXEC block"));
  t.add(row("unwatch", 1, kBase | kFast, unwatch).doc(kTx, "Forget about all watched keys"));
}

}  // namespace basalt::commands
