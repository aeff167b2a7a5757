// storage/divergent_tail.h — owns saving a range of the replication log to a file: the
// writes a node made after its history branched from its new master's (an ex-master that
// took writes after a failover). A full sync would otherwise discard them silently; basalt
// keeps them, byte for byte as RESP, beside the data, for an operator to inspect or replay.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "storage/repl_log.h"

namespace basalt::storage {

struct DivergentTail {
  std::filesystem::path file;  // where the bytes went
  uint64_t from = 0;           // first offset saved
  uint64_t to = 0;             // last offset saved
  bool complete = true;        // false if the log no longer held the start of the range
};

// Writes log `first`..`last` (1-based, inclusive)
// to `<dir>/divergent-<replid>-<first>-<last>.resp` (written to a temporary name, fsynced,
// then renamed). Where the log was trimmed past `first`, saves what it still holds
// (complete = false). False with `error` if the file can't be written.
bool save_log_range(const ReplLog& log, uint64_t first, uint64_t last,
                    const std::filesystem::path& dir, const std::string& replid, DivergentTail& out,
                    std::string& error);

}  // namespace basalt::storage
