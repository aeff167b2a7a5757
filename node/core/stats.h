// node/core/stats.h — counters reported by INFO stats, commandstats and errorstats (reset by
// CONFIG RESETSTAT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::core {
struct CommandSpec;
}

namespace basalt::core {

// instantaneous_ops_per_sec as Redis computes it: the rate between consecutive samples taken
// by the node's cron, averaged over the last 16 samples.
struct OpsSampler {
  static constexpr size_t kSamples = 16;
  uint64_t last_time_us = 0;
  uint64_t last_count = 0;
  uint64_t rates[kSamples] = {};
  size_t next = 0;

  void sample(uint64_t now_us, uint64_t count) {
    if (last_time_us != 0 && now_us > last_time_us && count >= last_count) {
      rates[next++ % kSamples] = (count - last_count) * 1000000 / (now_us - last_time_us);
    }
    last_time_us = now_us;
    last_count = count;
  }
  uint64_t per_sec() const {
    uint64_t sum = 0;
    for (uint64_t r : rates) sum += r;
    return sum / kSamples;
  }
};

// INFO commandstats for one command (or subcommand): calls that ran, their time, calls
// refused before running (arity, NOAUTH, READONLY, ...) and calls that ran and failed.
struct CommandCounters {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct Stats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_net_repl_input_bytes = 0;   // from our master (part of the input bytes)
  uint64_t total_net_repl_output_bytes = 0;  // to our replicas (part of the output bytes)
  uint64_t total_error_replies = 0;
  uint64_t write_groups = 0;
  uint64_t heavy_jobs = 0;   // commands run off the event loop (node/core/heavy_job.h)
  uint64_t heavy_reads = 0;  // read commands run off the event loop (node/core/heavy_read.h)
  uint64_t storage_read_errors = 0;  // commands ended by a read the store could not answer
  uint64_t write_group_commands = 0;
  // Group commits written on the blocking pool while the loop ran the next group, and the
  // commands that had to wait for such a write first (node/core/write_inflight.cpp).
  uint64_t write_groups_in_flight = 0;
  uint64_t write_group_waits = 0;
  uint64_t sync_full = 0;
  uint64_t sync_partial_ok = 0;
  uint64_t sync_partial_err = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;  // (Redis 7.2's name)
  uint64_t acl_access_denied_auth = 0;     // failed AUTH / HELLO AUTH (Redis 7.2's name)
  uint64_t acl_access_denied_cmd = 0;      // calls refused by ACL: the command,
  uint64_t acl_access_denied_key = 0;      // a key,
  uint64_t acl_access_denied_channel = 0;  // a channel
  OpsSampler ops;                          // fed by Node::cron
  std::unordered_map<const CommandSpec*, CommandCounters> commands;
  // The counters of `spec` in `commands`. A pipeline runs one command again and again: the
  // last one's counters are kept at hand (a map node stays put until the map is replaced).
  CommandCounters& command(const CommandSpec* spec) {
    if (spec != last_command.spec || last_command.counters == nullptr) {
      last_command.counters = &commands[spec];
      last_command.spec = spec;
    }
    return *last_command.counters;
  }
  // (Forgotten by a copy or an assignment, CONFIG RESETSTAT's among them: it points into
  // this object's map.)
  struct LastCommand {
    const CommandSpec* spec = nullptr;
    CommandCounters* counters = nullptr;
    LastCommand() = default;
    LastCommand(const LastCommand&) {}
    LastCommand& operator=(const LastCommand&) {
      spec = nullptr;
      counters = nullptr;
      return *this;
    }
  } last_command;
  // INFO errorstats: error replies by their code (the first word: ERR, WRONGTYPE, ...), at
  // most kMaxErrorCodes distinct codes, as Redis (further new codes are not tracked).
  static constexpr size_t kMaxErrorCodes = 128;
  std::map<std::string, uint64_t, std::less<>> error_codes;

  // Counts one error reply (`error` is its text without the leading '-').
  void count_error(std::string_view error);
};

}  // namespace basalt::core
