// node/core/heavy_exec.h — EXEC as a heavy job (node/core/heavy_job.h): a transaction whose
// queued commands include a heavy one (a kMayBeHeavy row whose keys hold at least
// heavy-command-threshold elements, judged per command at EXEC time) runs all of its commands,
// in order, off the event loop against one HeavyView, and commits them as one group (data,
// the stream bytes wrapped in MULTI ... EXEC, the offset: S1, all or nothing). The loop keeps
// EXEC's checks (EXECABORT, WATCH) and every command's gates before the job, and the
// statistics after it. Only transactions made of data commands that touch nothing but the
// keyspace view qualify (may_run_in_heavy_exec); any other stays on the loop as before.
//
// The pipeline owns the order (node/core/heavy_exec.cpp: WritePipeline::run_heavy_exec); the
// commands part implements ExecRunner (what EXEC means).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/command_spec.h"

namespace basalt::protocol {
class ReplyBuilder;
}

namespace basalt::core {

struct Client;
class CommandRunner;
class Keyspace;
struct KeyspaceShared;

// A transaction taken out of its client for a heavy job: its commands, each with its row, its
// gate verdict (taken on the loop) and, once run, where its reply lies in the EXEC reply and
// its time.
struct ExecPlan {
  struct Command {
    std::vector<std::string> args;
    std::vector<std::string_view> argv;  // views of args
    const CommandSpec* spec = nullptr;
    bool admitted = false;  // else `refusal` is its reply (the gate's error)
    std::string refusal;
    size_t reply_begin = 0, reply_end = 0;  // in the EXEC reply
    uint64_t usec = 0;
  };
  std::vector<Command> commands;
};

// What EXEC means, in three steps around the job (implemented by the commands part).
class ExecRunner {
 public:
  virtual ~ExecRunner() = default;
  // On the loop, once EXEC passed its own gates: EXEC's checks (state refusals, EXECABORT,
  // WATCH). False if they answered EXEC in `reply`; else the transaction is over, its commands
  // are in `plan`, each with its gates' verdict, and nothing is written to `reply`.
  virtual bool open_exec(Client& client, Keyspace& ks, protocol::ReplyBuilder& reply,
                         const CommandSpec& exec, std::span<const std::string_view> argv,
                         ExecPlan& plan) = 0;
  // Off the loop: EXEC's whole reply, running the admitted commands against `view` (a
  // HeavyView's keyspace); what they propagate is wrapped in MULTI ... EXEC. Returns the
  // time taken in microseconds; storage read failures are counted in `read_errors`.
  virtual uint64_t run_exec(Client& client, Keyspace& view, protocol::ReplyBuilder& reply,
                            ExecPlan& plan, uint64_t& read_errors) = 0;
  // On the loop: the statistics, slow log and MONITOR of each command; `replies` is what
  // run_exec wrote.
  virtual void close_exec(Client& client, const ExecPlan& plan, std::string_view replies) = 0;
};

// Whether a command may run inside a transaction that runs off the loop: a data command
// (reads or writes keys) that is not blocking, pub/sub, scripting, a connection or admin
// command, a barrier (FLUSHALL), dangerous, a container, or one that reads state a HeavyView
// does not carry (SCAN cursors, OBJECT's access times). SELECT (a connection command) may be
// queued with them too: the job's own client carries the db (exec_is_heavy, job_client_of).
bool may_run_in_heavy_exec(const CommandSpec& spec);

// Whether the EXEC `client` is about to run is a heavy job: every queued command may run off
// the loop (or is a SELECT of one of the node's `databases`) and one of them is heavy by
// input_elements (committed data, in the db the queued SELECTs leave it in).
bool exec_is_heavy(KeyspaceShared& shared, const CommandRunner& runner, const Client& client,
                   uint64_t threshold, int databases, uint64_t now_ms);

// SELECT's argument, if it names one of `databases` dbs (else the loop runs the transaction and
// SELECT answers its own error).
bool select_target(std::string_view arg, int databases, uint16_t& db);

// The client a job runs a transaction's commands as: `client`'s id, name, addresses, db, user
// and protocol, and nothing else (a SELECT inside changes this client's db, which the loop
// hands back to `client` once the job is over; the loop may read `client` meanwhile).
Client job_client_of(const Client& client);

}  // namespace basalt::core
