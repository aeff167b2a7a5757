// node/commands/lists.cpp — placeholder until the lists family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_lists_commands(Table&) {}

}  // namespace basalt::commands
