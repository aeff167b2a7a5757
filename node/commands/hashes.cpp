// node/commands/hashes.cpp — placeholder until the hashes family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_hashes_commands(Table&) {}

}  // namespace basalt::commands
