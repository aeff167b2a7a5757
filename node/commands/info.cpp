// node/commands/info.cpp — temporary
#include "node/commands/info.h"
namespace basalt::commands { std::string build_info(core::Node&, const std::string&) { return ""; } }
