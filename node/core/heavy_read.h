// node/core/heavy_read.h — heavy reads: a read command whose reply is a whole collection or a
// huge range (HGETALL, LRANGE 0 -1, SMEMBERS, ZRANGE, SINTER, ZUNION, random picks, KEYS, ...)
// and whose input holds heavy-command-threshold elements or more does not run on the event
// loop. The connection (node/server/connection.cpp) gives such a command a segment of its
// own; here its gates pass on the loop, a RocksDB snapshot is taken there (the read's
// linearization point: a multi-key read sees one state), the handler runs on the blocking pool
// against a private read-only view of that snapshot (none of the node's record cache, access
// times, counters or expiry hook), and back on the loop the reply is appended to the client's
// and what the read did is published: keyspace hits and misses, access times, expired keys
// met, statistics, slow log, MONITOR. Other clients' reads and writes go on meanwhile.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "node/core/command_spec.h"
#include "node/core/keyspace.h"

namespace basalt::core {

class Node;
struct Client;

// The elements a read command visits or replies with, estimated from metadata (collection
// sizes, the range asked for, the db's key count for KEYS), as committed; 0 for a command that
// is never heavy (not in the list of whole-collection and range reads).
uint64_t read_cost(KeyspaceShared& shared, uint64_t now_ms, uint16_t db, const CommandSpec& spec,
                   std::span<const std::string_view> argv);

// True if read_cost estimates the command `name` (lowercase): exactly the rows flagged
// kMayBeHeavyRead (a unit test holds the two in step).
bool has_read_cost(std::string_view name);

// True if the command runs as a heavy read: a kMayBeHeavyRead read (outside MULTI, not from
// our master) whose read_cost reaches heavy-command-threshold (0 = never).
bool heavy_read_candidate(Node& node, const Client& client, const CommandSpec* spec,
                          std::span<const std::string_view> argv);

// Runs one heavy read for `client` (gates and accounting on the loop, the handler on the
// blocking pool) and appends its reply to `out`. `argv` must stay valid until it returns.
boost::asio::awaitable<void> run_heavy_read(Node& node, Client& client, const CommandSpec* spec,
                                            std::span<const std::string_view> argv,
                                            std::string& out);

}  // namespace basalt::core
