// node/commands/server/info.h — builds the INFO text (Redis section and field names).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace basalt::core {
class Node;
}
namespace basalt::replication {
class Replication;
}

namespace basalt::commands {

// `section`: a section name, "default", "all" or "everything" (case-insensitive).
std::string build_info(core::Node& node, const replication::Replication& replication,
                       const std::string& section);
// INFO [section ...]: the union of the named sections, in Redis's fixed order; no names means
// "default".
std::string build_info(core::Node& node, const replication::Replication& replication,
                       std::span<const std::string_view> sections);

}  // namespace basalt::commands
