// node/core/dispatch.h — runs one command: table lookup, arity and state checks written once
// for every command, then the handler.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "node/commands/command_table.h"
#include "node/core/client.h"
#include "node/core/keyspace.h"
#include "node/protocol/reply.h"

namespace basalt::core {

class Node;

// Whether the command named by argv[0] must run inside a write group.
bool needs_write_group(const commands::Table& table, std::span<const std::string_view> argv);
// Whether the command may leave a wait behind (it ends a segment of a pipelined read).
bool may_block(const commands::Table& table, std::span<const std::string_view> argv);
// Whether the command must start a fresh group (FLUSHDB / FLUSHALL).
bool needs_barrier(const commands::Table& table, std::span<const std::string_view> argv);

// What the node's state refuses to a command with `flags` (commands::kWrite, kDenyOom,
// kStale), checked in Redis's order: "OOM ..." (over maxmemory; also any command being queued
// in MULTI, `queueing`), "MISCONF ..." (the store refuses writes), "NOREPLICAS ...",
// "READONLY ...", "MASTERDOWN ..."; "" if nothing.
// EXEC asks it with the flags of the commands it queued (Redis's mstate.cmd_flags).
std::string state_refusal(Node& node, const Client& client, uint32_t flags, bool queueing);
// The error a write gets while the store can't write (`cause`: the storage error); the gate
// above and the write pipeline (for writes whose commit failed) answer with the same text.
std::string misconf_error(const std::string& cause);

void run_command(Node& node, Client& client, Keyspace& ks, protocol::ReplyBuilder& reply,
                 std::span<const std::string_view> argv);

}  // namespace basalt::core
