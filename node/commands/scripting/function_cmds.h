// node/commands/scripting/function_cmds.h — the FUNCTION / FCALL commands' entry points the
// rest of the node needs: loading the stored libraries (start-up, after a full sync).
#pragma once

namespace basalt::core {
class Node;
}

namespace basalt::commands {

// Replaces the libraries in memory with the ones in the store (storage/function_store.h).
// A library that fails to load is logged (never silently dropped). Throws storage::ReadError.
void load_stored_functions(core::Node& node);

}  // namespace basalt::commands
