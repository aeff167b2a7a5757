// node/commands/pubsub.cpp — placeholder until the pubsub family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_pubsub_commands(Table&) {}

}  // namespace basalt::commands
