// node/core/heavy_job.h — heavy jobs: a write command whose inputs are large (its row says
// kMayBeHeavy, and its keys hold at least heavy-command-threshold elements in all) does not
// run on the event loop. The write pipeline commits what its group holds so far, passes the
// command's gates on the loop, then runs the handler on the blocking pool against a private
// view (HeavyView: its own batch, stream and counters over the same store; nothing of the
// node's shared state), and commits that view's batch as a group of its own (data,
// replication bytes, offset and counts in one write, S1) from the pool too. Meanwhile the
// loop keeps answering reads, PING, replicas and the admin API; writes wait in order behind
// the job (the pipeline is one ordered queue, so no key can change under it and no lock is
// needed). Once committed, on the loop, the view hands its effects to the shared state:
// counters, record cache, WATCH, blocked clients, access times. A transaction that holds
// such a command runs whole as one job (node/core/heavy_exec.h), and so does a replica's
// MULTI ... EXEC from its master's stream (node/core/heavy_master_exec.cpp).
#pragma once

#include <rocksdb/utilities/write_batch_with_index.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "node/core/command_spec.h"
#include "node/core/keyspace.h"
#include "node/core/repl_stream.h"

namespace basalt::core {

class BlockingRegistry;

// The elements the keys of a command hold in db `db` (a collection counts its members, any
// other value 1, a missing key 0), as committed (an estimate: the decision is a cost, not a
// semantic one).
uint64_t input_elements(KeyspaceShared& shared, uint64_t now_ms, uint16_t db,
                        const CommandSpec& spec, std::span<const std::string_view> argv);

// The private view a heavy command runs against, off the loop.
class HeavyView {
 public:
  // `shared`: the node's (read here, on the loop, never from the job); `stream`: the
  // pipeline's stream, for the db it last selected; `propagate`: false on replicas.
  HeavyView(KeyspaceShared& shared, const ReplStream& stream, uint64_t now_ms, bool propagate);
  HeavyView(const HeavyView&) = delete;
  HeavyView& operator=(const HeavyView&) = delete;

  Keyspace& ks() { return *ks_; }
  rocksdb::WriteBatchWithIndex& batch() { return batch_; }
  ReplStream& stream() { return stream_; }

  // On the loop, once its batch is committed: hands the view's effects on to the node's
  // state (record cache, WATCH, access times, blocked clients, counters). The key counts are
  // the pipeline's to publish (the view's deltas, as for any group).
  void publish(KeyspaceShared& shared, BlockingRegistry& blocking);

 private:
  KeyspaceShared own_;
  rocksdb::WriteBatchWithIndex batch_;
  ReplStream stream_;
  std::optional<Keyspace> ks_;
};

}  // namespace basalt::core
