// node/commands/families.h — what the connection and server family files share: the
// registration of the commands that live in their own files, and small common rules.
#pragma once

#include <string_view>

#include "node/commands/command_table.h"

namespace basalt::commands {

// Commands that live in their own files: client_cmd.cpp (connection family), config_cmd.cpp,
// debug_cmd.cpp, command_docs.cpp, latency_security.cpp, slowlog_cmd.cpp, monitor_cmd.cpp and
// memory_cmd.cpp (server family).
void register_client_command(Table& t);
void register_config_command(Table& t);
void register_debug_command(Table& t);
void register_command_command(Table& t);
void register_latency_and_security_commands(Table& t);
void register_slowlog_command(Table& t);
void register_monitor_command(Table& t);
void register_memory_command(Table& t);
void register_acl_command(Table& t);

// Leaves MULTI and forgets the WATCHed keys (transactions.cpp; also RESET).
void end_transaction(Context& c);

// CLIENT SETNAME's rule for names (also HELLO ... SETNAME): printable, no spaces.
bool valid_client_name(std::string_view name);
// One CLIENT LIST line (no newline) for `cl`; `argv`: the command it is running, if any.
std::string client_info_line(const core::Client& cl, std::span<const std::string_view> argv);

}  // namespace basalt::commands
