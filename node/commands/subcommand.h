// node/commands/subcommand.h — container commands (CLIENT, CONFIG, COMMAND, ...): finds the
// subcommand named by argv[1] among Spec::subcommands, checks its arity and runs it, with
// Redis's replies for an unknown subcommand and for a wrong number of arguments.
#pragma once

#include <initializer_list>
#include <string_view>

#include "node/commands/command.h"

namespace basalt::commands {

// The handler of a container command.
void run_subcommand(Context& c);

// The subcommand `sub` ("setname") of `container`; null if it has none by that name.
const Spec* find_subcommand(const Spec& container, std::string_view sub);

// Subcommand spec names are "container|sub"; this is the "sub" part.
std::string_view subcommand_suffix(const Spec& sub);

// Redis's addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong number of arguments
// for '<argv[1]>'. Try <ARGV[0]> HELP."
void subcommand_syntax_error(Context& c);

// "CLIENT HELP"-style replies, as Redis's addReplyHelp: the usage line, `lines`, then HELP.
void reply_help(Context& c, std::initializer_list<std::string_view> lines);

}  // namespace basalt::commands
