// node/replication/psync_decision.cpp — see psync_decision.h. Each branch says why.
#include "node/replication/psync_decision.h"

namespace basalt::replication {

PsyncDecision decide_psync(const PsyncRequest& request, const MasterHistory& h) {
  if (request.replid == "?" || request.offset < 0) {
    // The replica has no history at all (a new replica, or one told to forget).
    return {false, "the replica asked for a full resync"};
  }
  bool same_history = request.replid == h.replid;
  bool previous_history = !same_history && request.replid == h.replid2;
  if (!same_history && !previous_history) {
    // Different replication ids: the replica's data came from another history.
    return {false, "replication id mismatch (replica has '" + request.replid + "', mine '" +
                       h.replid + "')"};
  }
  if (previous_history && request.offset > h.second_replid_offset) {
    // It followed our former master past the point where we were promoted: the bytes after
    // second_replid_offset in its history are not ours.
    return {false,
            "the replica went past the point where our histories diverged (" +
                std::to_string(request.offset) + " > " + std::to_string(h.second_replid_offset) +
                ")",
            h.second_replid_offset - 1};
  }
  uint64_t wanted = static_cast<uint64_t>(request.offset);
  if (wanted > h.master_repl_offset + 1) {
    // The replica claims bytes we never produced: it is ahead of our history.
    return {false,
            "the replica is ahead of my history (" + std::to_string(wanted - 1) + " > " +
                std::to_string(h.master_repl_offset) + ")",
            static_cast<int64_t>(h.master_repl_offset)};
  }
  if (wanted == h.master_repl_offset + 1) {
    // Exactly up to date: nothing to send, whether or not the log holds anything.
    return {true, "the replica is up to date"};
  }
  if (h.log_first_offset == 0 || wanted < h.log_first_offset) {
    // It needs bytes that were trimmed from the log (repl-backlog-size).
    return {false, "the log no longer covers offset " + std::to_string(wanted) + " (first byte " +
                       std::to_string(h.log_first_offset) + ")"};
  }
  return {true, same_history
                    ? "same replication id, offset in the log"
                    : "former replication id within the shared history, offset in the log"};
}

}  // namespace basalt::replication
