// node/commands/transactions/exec_checks.h — what EXEC does before its queued commands run,
// shared by EXEC on the loop (transactions.cpp) and EXEC as a heavy job (exec_off_loop.cpp).
#pragma once

#include <string>
#include <vector>

#include "node/commands/command.h"

namespace basalt::commands {

// EXEC's checks, in Redis's order: not in MULTI, the node's state refuses the queued
// commands now (EXECABORT ... OOM, READONLY, ...), a command was refused when queued
// (EXECABORT), a WATCHed key changed or expired (nil). False if EXEC is answered; else the
// queued commands are moved into `queue` and the transaction is over (WATCHes forgotten).
bool take_transaction(Context& c, std::vector<std::vector<std::string>>& queue);

}  // namespace basalt::commands
