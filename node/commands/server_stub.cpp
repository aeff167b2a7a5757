// temporary
#include "node/commands/command_table.h"
namespace basalt::commands { void register_server_commands(Table&) {} }
