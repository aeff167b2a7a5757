// node/commands/sets.cpp — placeholder until the sets family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_sets_commands(Table&) {}

}  // namespace basalt::commands
