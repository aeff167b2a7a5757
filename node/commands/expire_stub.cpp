// temporary
#include "node/commands/command_table.h"
namespace basalt::commands { void register_expire_commands(Table&) {} }
