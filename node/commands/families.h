// node/commands/families.h — what the connection and server family files share: the
// registration of the commands that live in their own files, and small common rules.
#pragma once

#include <string_view>

#include "node/commands/command_table.h"

namespace basalt::commands {

void register_client_command(Table& t);   // client_cmd.cpp (connection family)
void register_config_command(Table& t);   // config_cmd.cpp (server family)
void register_debug_command(Table& t);    // debug_cmd.cpp (server family)
void register_command_command(Table& t);  // command_docs.cpp (server family)
void register_latency_and_security_commands(Table& t);
void register_slowlog_command(
    Table& t);  // slowlog_cmd.cpp (server family)  // latency_security.cpp

// CLIENT SETNAME's rule for names (also HELLO ... SETNAME): printable, no spaces.
bool valid_client_name(std::string_view name);

}  // namespace basalt::commands
