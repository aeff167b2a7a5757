// node/commands/server/digest.h — DEBUG DIGEST and DEBUG DIGEST-VALUE: an order-independent digest
// of the dataset (equal on two nodes holding the same data, whatever order it was written in).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "node/commands/command.h"

namespace basalt::commands {

// 40 hex chars; all zeros for an empty dataset, as Redis.
std::string dataset_digest(core::Keyspace& ks);
void debug_digest(Context& c);        // DEBUG DIGEST
void debug_digest_value(Context& c);  // DEBUG DIGEST-VALUE key [key ...]

}  // namespace basalt::commands
