// node/commands/transactions.cpp — placeholder until the transactions family lands (registers nothing yet).
#include "node/commands/command_table.h"

namespace basalt::commands {

void register_transactions_commands(Table&) {}

}  // namespace basalt::commands
