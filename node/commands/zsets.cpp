// node/commands/zsets.cpp — placeholder until the zsets family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_zsets_commands(Table&) {}

}  // namespace basalt::commands
