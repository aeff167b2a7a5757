// node/core/heavy_exec.cpp — see heavy_exec.h. Also the write pipeline's part that runs such
// an EXEC (WritePipeline::heavy_exec_candidate, WritePipeline::run_heavy_exec).
#include "node/core/heavy_exec.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "node/core/acl_categories.h"
#include "node/core/command_runner.h"
#include "node/core/heavy_job.h"
#include "node/core/heavy_read.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/reply.h"

namespace basalt::core {

namespace asio = boost::asio;

bool may_run_in_heavy_exec(const CommandSpec& spec) {
  if (!spec.has(kWrite | kReadOnly)) return false;
  constexpr uint32_t kLoopOnly = kAdmin | kPubSub | kMayBlock | kBarrier | kInGroup | kExecGroup |
                                 kRunsInMulti | kProtected | kNoScript | kSentinel;
  if (spec.has(kLoopOnly) || spec.subcommand_count > 0) return false;
  static const uint32_t kLoopCategories =
      acl::category_bit("blocking") | acl::category_bit("dangerous") |
      acl::category_bit("connection") | acl::category_bit("transaction") |
      acl::category_bit("scripting") | acl::category_bit("pubsub") | acl::category_bit("admin");
  if (acl::categories_of(spec) & kLoopCategories) return false;
  // Their replies depend on the node's SCAN cursors and access times, which a view lacks.
  for (std::string_view name : {"scan", "sscan", "hscan", "zscan", "object"})
    if (spec.name == name) return false;
  return true;
}

bool select_target(std::string_view arg, int databases, uint16_t& db) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), value);
  if (ec != std::errc() || end != arg.data() + arg.size()) return false;
  if (databases <= 0 || value >= static_cast<unsigned>(databases)) return false;
  db = static_cast<uint16_t>(value);
  return true;
}

Client job_client_of(const Client& client) {
  Client job;
  job.id = client.id;
  job.name = client.name;
  job.db = client.db;
  job.addr = client.addr;
  job.laddr = client.laddr;
  job.user = client.user;
  job.authenticated = client.authenticated;
  job.is_master_link = client.is_master_link;
  job.protocol_version = client.protocol_version;
  return job;
}

bool exec_is_heavy(KeyspaceShared& shared, const CommandRunner& runner, const Client& client,
                   uint64_t threshold, int databases, uint64_t now_ms) {
  std::vector<std::string_view> argv;
  bool heavy = false;
  uint16_t db = client.db;
  for (const auto& queued : client.multi_queue) {
    const CommandSpec* spec = queued.empty() ? nullptr : runner.find(queued[0]);
    if (!spec) return false;
    if (spec->name == "select") {
      if (queued.size() != 2 || !select_target(queued[1], databases, db)) return false;
      continue;
    }
    if (!may_run_in_heavy_exec(*spec)) return false;
    if (heavy) continue;
    argv.assign(queued.begin(), queued.end());
    if (spec->has(kMayBeHeavy))
      heavy = input_elements(shared, now_ms, db, *spec, argv) >= threshold;
    else if (!spec->needs_write_group())  // a heavy read (heavy_read.h) counts as much
      heavy = read_cost(shared, now_ms, db, *spec, argv) >= threshold;
  }
  return heavy;
}

bool WritePipeline::heavy_exec_candidate(const Job& job, const CommandSpec* spec) {
  const Client& client = *job.client;
  if (!exec_runner_ || !spec || spec->name != "exec") return false;
  // The loop answers these at once (EXEC without MULTI, EXECABORT, nil after a WATCHed key
  // changed); our master's EXEC only closes its stream's transaction.
  if (!client.in_multi || client.multi_dirty || client.watch_dirty || client.is_master_link)
    return false;
  auto threshold = node_.config().heavy_command_threshold;
  if (threshold <= 0) return false;
  return exec_is_heavy(node_.keyspace(), node_.command_runner(), client,
                       static_cast<uint64_t>(threshold), node_.config().databases, unix_time_ms());
}

asio::awaitable<bool> WritePipeline::run_heavy_exec(std::optional<Keyspace>& ks,
                                                    std::vector<Job*>& jobs, size_t j, size_t i,
                                                    const CommandSpec* spec, std::string& error,
                                                    bool& ran) {
  Job& job = *jobs[j];
  Client& client = *job.client;
  ran = false;
  auto& runner = node_.command_runner();
  auto argv = job.batch->command(i);
  // What the group holds so far is committed first: the job reads committed data only.
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
  }
  size_t reply_start = job.out->size();
  protocol::ReplyBuilder reply(*job.out);
  ++job.uncommitted;
  ran = true;  // answered from here on (a failed commit rewrites the answer)
  // EXEC's own gates (and eviction), then its checks: all on the loop, before the job.
  ExecPlan plan;
  bool admitted = runner.admit(client, *ks, reply, spec, argv);
  bool runs = admitted && exec_runner_->open_exec(client, *ks, reply, *spec, argv, plan);
  if (!runs) {
    runner.account(client, reply, reply_start, spec, argv, admitted, 0);
    co_return true;  // whatever eviction or an expired WATCHed key wrote stays in the group
  }
  // Eviction, or the deletion of a WATCHed key found expired, commits before the job too (a
  // failure answers EXEC with the error).
  if (ks->has_writes()) {
    bool committed = co_await commit_held(ks, jobs, j, error);
    if (!committed) co_return false;
    ++job.uncommitted;  // EXEC, still to be answered
  }
  ++node_.stats().heavy_jobs;
  HeavyView view(node_.keyspace(), stream_, unix_time_ms(), !node_.is_replica());
  view.ks().set_out_of_memory(ks->out_of_memory());
  std::string out;
  uint64_t read_errors = 0, usec = 0;
  Client job_client = job_client_of(client);  // a queued SELECT changes its db
  co_await asio::co_spawn(
      node_.blocking_pool(),
      [&]() -> asio::awaitable<void> {
        protocol::ReplyBuilder job_reply(out);
        usec = exec_runner_->run_exec(job_client, view.ks(), job_reply, plan, read_errors);
        co_return;
      },
      asio::use_awaitable);
  client.db = job_client.db;  // as after EXEC on the loop: the last SELECT's db stays
  node_.stats().storage_read_errors += read_errors;
  job.out->append(out);
  exec_runner_->close_exec(client, plan, out);
  runner.account(client, reply, reply_start, spec, argv, true, usec);
  bool committed = co_await commit_view(view, ks, jobs, j, error);
  co_return committed;
}

}  // namespace basalt::core
