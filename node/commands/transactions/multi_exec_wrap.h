// node/commands/transactions/multi_exec_wrap.h — how a unit of several commands (EXEC's
// queued commands, a script's redis.call writes) appears in the replication stream: the bytes
// it propagated, wrapped in MULTI ... EXEC, as Redis does.
#pragma once

#include <cstddef>

namespace basalt::core {
class ReplStream;
}

namespace basalt::commands {

// Wraps what `stream` received since `start` (when the stream's db was `db_before`) in
// MULTI ... EXEC; nothing if it received nothing.
void wrap_in_multi_exec(core::ReplStream& stream, size_t start, int db_before);

}  // namespace basalt::commands
