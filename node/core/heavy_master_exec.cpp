// node/core/heavy_master_exec.cpp — the write pipeline's part that applies a transaction of
// our master's stream (MULTI ... EXEC, applied whole) as one heavy job on a replica
// (WritePipeline::heavy_master_txn_candidate, WritePipeline::run_heavy_master_txn): when one
// of its commands is heavy (heavy_job.h) and every one may run off the loop (as for a heavy
// EXEC, heavy_exec.h, plus SELECT), its commands run in order off the event loop against one
// HeavyView with a client of the job's own (the link's db, user and protocol; a SELECT inside
// changes that client's db, which the link takes once the job is over), and the view commits
// as one group: data, the transaction's stream bytes and the offset (S1). A command that
// fails leaves nothing of the transaction and stops the stream before its MULTI, as
// run_master_command does. Meanwhile the replica's loop answers reads, PING and sends ACKs.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "node/core/command_runner.h"
#include "node/core/heavy_exec.h"
#include "node/core/heavy_job.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/reply.h"

namespace basalt::core {

namespace asio = boost::asio;

bool WritePipeline::heavy_master_txn_candidate(const Job& job, size_t i, const CommandSpec* spec,
                                               size_t& exec_index) {
  const Client& client = *job.client;
  if (!client.is_master_link || !spec || spec->name != "multi" || master_txn_) return false;
  auto threshold = node_.config().heavy_command_threshold;
  if (threshold <= 0) return false;
  const uint64_t now = unix_time_ms();
  const int databases = node_.config().databases;
  uint16_t db = client.db;
  bool heavy = false;
  for (size_t k = i + 1; k < job.last; ++k) {
    const CommandSpec* one = spec_of(*job.batch, k);
    if (!one) return false;
    auto argv = job.batch->command(k);
    if (one->name == "exec") {
      // Every command's bytes must be at hand to log (the reader keeps them all).
      if (k >= job.batch->raw.size()) return false;
      exec_index = k;
      return heavy;
    }
    if (one->name == "select") {
      if (argv.size() != 2 || !select_target(argv[1], databases, db)) return false;
      continue;
    }
    if (!may_run_in_heavy_exec(*one)) return false;
    if (!heavy && one->has(kMayBeHeavy))
      heavy =
          input_elements(node_.keyspace(), now, db, *one, argv) >= static_cast<uint64_t>(threshold);
  }
  return false;  // no EXEC in this job (the stream's reader never splits a transaction)
}

asio::awaitable<bool> WritePipeline::run_heavy_master_txn(std::optional<Keyspace>& ks,
                                                          std::vector<Job*>& jobs, size_t j,
                                                          size_t i, size_t exec_index,
                                                          std::string& error, bool& ran) {
  Job& job = *jobs[j];
  Client& client = *job.client;
  ran = false;
  auto& runner = node_.command_runner();
  // What the group holds so far is committed first: the job reads committed data only.
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
  }
  // The commands' gates, on the loop, before the job (nothing of the master's is evicted:
  // a replica does not evict).
  struct Planned {
    const CommandSpec* spec = nullptr;
    std::span<const std::string_view> argv;
    bool admitted = false;
    std::string refusal;
    size_t reply_begin = 0, reply_end = 0;
    uint64_t usec = 0;
  };
  std::vector<Planned> plan;
  plan.reserve(exec_index - i - 1);
  for (size_t k = i + 1; k < exec_index; ++k) {
    Planned& one = plan.emplace_back();
    one.spec = spec_of(*job.batch, k);
    one.argv = job.batch->command(k);
    protocol::ReplyBuilder gate(one.refusal);
    one.admitted = runner.admit(client, *ks, gate, one.spec, one.argv);
  }
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
  }
  ran = true;  // answered from here on (a failed commit rewrites the answers)
  // MULTI, on the loop (our master's MULTI only opens the stream's transaction).
  {
    auto argv = job.batch->command(i);
    protocol::ReplyBuilder reply(*job.out);
    runner.run(client, *ks, reply, spec_of(*job.batch, i), argv);
    ++job.uncommitted;
  }
  ++node_.stats().heavy_jobs;
  HeavyView view(node_.keyspace(), stream_, unix_time_ms(), false);
  view.ks().set_out_of_memory(ks->out_of_memory());
  view.ks().set_master_stream_mode(true);
  // The job's own client: SELECT inside the transaction changes its db, not the link's
  // (which the loop may read meanwhile).
  Client job_client = job_client_of(client);
  std::string out;
  size_t failed_at = SIZE_MAX;  // the first command that failed (the rest never ran)
  uint64_t read_errors = 0;
  co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<void> {
        protocol::ReplyBuilder reply(out);
        for (size_t k = 0; k < plan.size() && failed_at == SIZE_MAX; ++k) {
          Planned& one = plan[k];
          one.reply_begin = out.size();
          if (one.admitted)
            one.usec =
                runner.invoke(job_client, view.ks(), reply, *one.spec, one.argv, read_errors);
          else
            reply.raw(one.refusal);
          one.reply_end = out.size();
          if (one.reply_end > one.reply_begin && out[one.reply_begin] == '-') failed_at = k;
        }
        co_return;
      },
      asio::use_awaitable);
  node_.stats().storage_read_errors += read_errors;
  // Back on the loop: each command's reply, statistics, slow log and MONITOR, in order.
  for (size_t k = 0; k < plan.size() && k <= failed_at; ++k) {
    const Planned& one = plan[k];
    size_t reply_start = job.out->size();
    job.out->append(out, one.reply_begin, one.reply_end - one.reply_begin);
    protocol::ReplyBuilder reply(*job.out);
    runner.account(client, reply, reply_start, one.spec, one.argv, one.admitted, one.usec);
    ++job.uncommitted;
  }
  if (failed_at != SIZE_MAX) {
    // As run_master_command: this dataset is not the master's. The view is dropped (nothing
    // of the transaction applies, none of its bytes is logged) and the stream stops before
    // its MULTI; the link resumes from the last committed offset.
    const Planned& one = plan[failed_at];
    stop_master_stream(
        job, one.argv[0],
        std::string_view(out).substr(one.reply_begin, one.reply_end - one.reply_begin));
    co_return true;
  }
  client.db = job_client.db;
  // EXEC, on the loop (it only closes the stream's transaction).
  {
    auto argv = job.batch->command(exec_index);
    protocol::ReplyBuilder reply(*job.out);
    runner.run(client, *ks, reply, spec_of(*job.batch, exec_index), argv);
    ++job.uncommitted;
  }
  for (size_t k = i; k <= exec_index; ++k) view.stream().append_raw(job.batch->raw[k]);
  master_stream_db_ = client.db;
  bool committed = co_await commit_view(view, ks, jobs, j, error);
  co_return committed;
}

}  // namespace basalt::core
