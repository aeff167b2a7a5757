// temporary
#include "node/commands/command_table.h"
namespace basalt::commands { void register_key_commands(Table&) {} }
