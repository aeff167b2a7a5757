// node/commands/info.h — builds the INFO text (Redis section and field names).
#pragma once

#include <string>

namespace basalt::core {
class Node;
}

namespace basalt::commands {

// `section`: a section name, "default", "all" or "everything" (case-insensitive).
std::string build_info(core::Node& node, const std::string& section);

}  // namespace basalt::commands
