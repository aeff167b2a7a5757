// node/replication/log_retention.cpp — see log_retention.h; also MasterSide::trim_log,
// which applies the rule: drops the feeds beyond the ceiling, then trims the log.
#include "node/replication/log_retention.h"

#include <algorithm>

#include "node/core/node.h"
#include "node/replication/master_side.h"
#include "node/util/log.h"

namespace basalt::replication {

uint64_t log_keep_from(const RetentionInput& in) {
  // The backlog: the last `backlog` bytes, for replicas that reconnect.
  uint64_t keep = in.offset > in.backlog ? in.offset - in.backlog + 1 : 1;
  // More while an attached feed still needs older bytes...
  keep = std::min(keep, in.floor);
  // ...but never more than the ceiling.
  uint64_t ceiling_start = in.offset > in.ceiling ? in.offset - in.ceiling + 1 : 1;
  return std::max(keep, ceiling_start);
}

void MasterSide::trim_log() {
  const auto& config = node_.config();
  uint64_t offset = node_.repl().master_repl_offset;
  auto backlog = static_cast<uint64_t>(config.repl_backlog_size);
  auto ceiling = static_cast<uint64_t>(config.repl_log_max_size);
  // Trim in steps, not on every write group.
  uint64_t step = std::min(backlog, ceiling) / 16;
  if (offset >= last_trim_offset_ && offset - last_trim_offset_ <= step) return;
  last_trim_offset_ = offset;
  uint64_t keep_from = log_keep_from({offset, backlog, ceiling, log_floor()});
  for (auto* feed : feeds_) {
    if (feed->needed_from >= keep_from || feed->dropped) continue;
    feed->dropped = true;
    log::warn(
        "dropping replica {}:{} ({}): it needs offset {} but the replication log keeps at most "
        "repl-log-max-size ({} bytes) and now starts at {}; it will full sync when it comes "
        "back",
        feed->ip, feed->listening_port, feed->state, feed->needed_from, ceiling, keep_from);
    kill_client(feed->client_id);
  }
  if (keep_from > 1) {
    rocksdb::Status s = node_.repl_log().trim_before(keep_from);
    if (!s.ok()) log::error("trimming the replication log failed: {}", s.ToString());
  }
}

}  // namespace basalt::replication
