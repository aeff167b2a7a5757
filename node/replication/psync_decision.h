// node/replication/psync_decision.h — the master's answer to `PSYNC replid offset`: continue
// from the log (partial resync) or send everything (full resync), and why.
#pragma once

#include <cstdint>
#include <string>

namespace basalt::replication {

struct PsyncRequest {
  std::string replid;   // the history the replica follows ("?" when it has none)
  int64_t offset = -1;  // the first byte it needs (its own offset + 1)
};

struct MasterHistory {
  std::string replid;                 // current history
  std::string replid2;                // the history we followed before the last promotion
  int64_t second_replid_offset = -1;  // first byte offset where replid2 stopped being valid
  uint64_t master_repl_offset = 0;    // last byte of the stream
  uint64_t log_first_offset = 0;      // first byte still in the on-disk log (0: log empty)
};

struct PsyncDecision {
  bool partial = false;
  std::string reason;
  // The last byte the replica's history shares with ours, when we know where they branched
  // (-1 otherwise): the replica's bytes after it are writes we never had (it kept them).
  int64_t shared_until = -1;
};

PsyncDecision decide_psync(const PsyncRequest& request, const MasterHistory& history);

}  // namespace basalt::replication
