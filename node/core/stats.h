// node/core/stats.h — counters reported by INFO stats (reset by CONFIG RESETSTAT).
#pragma once

#include <cstdint>

namespace basalt::core {

struct Stats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t total_error_replies = 0;
  uint64_t write_groups = 0;
  uint64_t write_group_commands = 0;
  uint64_t sync_full = 0;
  uint64_t sync_partial_ok = 0;
  uint64_t sync_partial_err = 0;
  uint64_t unexpected_error_replies = 0;
};

}  // namespace basalt::core
