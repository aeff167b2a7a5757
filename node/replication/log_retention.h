// node/replication/log_retention.h — owns the rule for how much of the on-disk replication
// log the master keeps: at least repl-backlog-size, more while a replica (or a full sync in
// progress) still needs it, and never more than repl-log-max-size.
#pragma once

#include <cstdint>

namespace basalt::replication {

struct RetentionInput {
  uint64_t offset = 0;   // master_repl_offset (the last byte written)
  uint64_t backlog = 0;  // repl-backlog-size
  uint64_t ceiling = 0;  // repl-log-max-size
  uint64_t floor = 0;    // the lowest offset an attached feed still needs (UINT64_MAX: none)
};

// The first offset the log keeps. A feed that needs bytes before it is beyond the ceiling
// and must be dropped (it gets a full sync when it comes back).
uint64_t log_keep_from(const RetentionInput& in);

}  // namespace basalt::replication
